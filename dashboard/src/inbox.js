// Inbox column: conversations, unread first, then newest activity.
// Live updates patch and move one row; the list is rebuilt only when a page loads.
import { avatar, updateAvatar } from "./avatar.js";
import { h, setText } from "./dom.js";
import { compareIds } from "./store.js";
import { liveRelative } from "./time.js";
import { paintTypingLine, typingLine } from "./typing.js";
import { emptyState, skeleton } from "./ui.js";

export function compareConversations(a, b) {
  const ua = a.unread_by_agent > 0 ? 1 : 0;
  const ub = b.unread_by_agent > 0 ? 1 : 0;
  if (ua !== ub) return ub - ua;
  return compareIds(b.activity_id, a.activity_id) || compareIds(b.last_activity_at, a.last_activity_at) || compareIds(b.id, a.id);
}

export function createInbox({ root, store, sync, nav, typing }) {
  const rows = new Map(); // id → {li, button, refs}
  let order = []; // ids, in display order
  let statusKey = "";

  const count = h("span", { class: "col-count" });
  const list = h("ul", { class: "conv-list", "aria-label": "Conversations" });
  const moreButton = h("button", { class: "btn btn-quiet load-more", type: "button", onclick: loadMore }, "Load older conversations");
  const status = h("div", { class: "col-status" });
  const scroller = h("div", { class: "col-scroll" }, list, status, moreButton);
  root.append(h("header", { class: "col-head" }, h("h1", { class: "col-title" }, "Inbox"), count), scroller);

  async function loadMore() {
    moreButton.disabled = true;
    setText(moreButton, "Loading…");
    const ack = await sync.loadConversations({ more: true });
    moreButton.disabled = false;
    setText(moreButton, ack.ok ? "Load older conversations" : "Couldn’t load — try again");
  }

  function buildRow(id) {
    const refs = {
      avatar: avatar({ id, name: "", online: false }),
      name: h("span", { class: "conv-name" }),
      site: h("span", { class: "conv-site" }),
      time: h("time", { class: "conv-time" }),
      preview: h("span", { class: "conv-preview" }),
      typing: typingLine(),
      badge: h("span", { class: "badge", "aria-hidden": "true" }),
      sr: h("span", { class: "sr-only" }),
    };
    const button = h(
      "button",
      { class: "conv", type: "button", dataset: { id }, onclick: () => nav.go(store.state.view, id) },
      refs.avatar,
      h(
        "span",
        { class: "conv-main" },
        h("span", { class: "conv-top" }, refs.name, refs.site, refs.time),
        h("span", { class: "conv-bottom" }, refs.preview, refs.typing, refs.badge, refs.sr),
      ),
    );
    const li = h("li", { class: "conv-item" }, button);
    const row = { li, button, refs };
    rows.set(id, row);
    return row;
  }

  function paint(c) {
    const row = rows.get(c.id) || buildRow(c.id);
    const { refs } = row;
    const visitor = c.visitor || {};
    const name = visitor.name || "Visitor";
    updateAvatar(refs.avatar, { id: c.visitor_id || visitor.id || c.id, name, online: visitor.online === true });
    setText(refs.name, name);
    setText(refs.site, store.multiSite() && store.state.siteId == null ? store.siteName(c.site_id) : "");
    refs.site.hidden = !refs.site.textContent;
    liveRelative(refs.time, c.last_activity_at);
    setText(refs.preview, c.preview || "No messages yet");
    refs.preview.classList.toggle("is-empty", !c.preview);
    paintTypingLine(refs.typing, typing.visitor(c.visitor_id));
    row.button.classList.toggle("is-typing", !refs.typing.hidden);
    const unread = c.unread_by_agent > 0 ? c.unread_by_agent : 0;
    setText(refs.badge, unread > 99 ? "99+" : String(unread));
    refs.badge.hidden = unread === 0;
    setText(refs.sr, unread ? `, ${unread} unread` : "");
    row.button.classList.toggle("is-unread", unread > 0);
    row.button.classList.toggle("is-closed", c.status === "closed");
    setCurrent(row, c.id === store.state.openId);
    return row;
  }

  function setCurrent(row, current) {
    if (current) row.button.setAttribute("aria-current", "true");
    else row.button.removeAttribute("aria-current");
  }

  /** Move one row to its sorted place (binary search over the current order). */
  function place(c, row) {
    const conversations = store.state.conversations;
    const at = order.indexOf(c.id);
    if (at !== -1) order.splice(at, 1);
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareConversations(conversations.get(order[mid]), c) <= 0) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, c.id);
    const next = order[lo + 1] ? rows.get(order[lo + 1]).li : null;
    if (row.li.parentNode !== list || row.li.nextSibling !== next) list.insertBefore(row.li, next);
  }

  function renderAll() {
    const conversations = [...store.state.conversations.values()].sort(compareConversations);
    order = conversations.map((c) => c.id);
    for (const id of rows.keys()) if (!store.state.conversations.has(id)) rows.delete(id);
    list.replaceChildren(...conversations.map((c) => paint(c).li));
    chrome();
  }

  function chrome() {
    const { conversationsStatus: st, conversationsHasMore: hasMore } = store.state;
    const n = order.length;
    setText(count, st === "ready" && n ? String(n) + (hasMore ? "+" : "") : "");
    moreButton.hidden = !(st === "ready" && hasMore && n > 0);
    const key = n ? "rows" : st;
    if (key === statusKey) return;
    statusKey = key;
    status.replaceChildren();
    if (st === "loading" && n === 0) status.append(skeleton());
    else if (st === "error" && n === 0) {
      status.append(
        emptyState({
          icon: "alert",
          title: "Couldn’t load conversations",
          text: store.state.conversationsError,
          action: { label: "Try again", onclick: retry },
        }),
      );
    } else if (st === "ready" && n === 0) {
      status.append(
        emptyState({
          icon: "chat",
          title: "No conversations yet",
          text: "Open your site and say hi through the widget — the chat shows up here right away.",
        }),
      );
    }
  }

  function retry() {
    store.resetConversations();
    sync.loadConversations();
  }

  store.on("conversations", renderAll);
  typing.on((change) => {
    if (change.kind !== "visitor") return;
    for (const c of store.state.conversations.values()) if (c.visitor_id === change.visitorId && rows.has(c.id)) paint(c);
  });
  store.on("conversation", (c) => {
    place(c, paint(c));
    chrome();
  });
  store.on("open", (id, prev) => {
    if (prev && rows.has(prev)) setCurrent(rows.get(prev), false);
    if (id && rows.has(id)) setCurrent(rows.get(id), true);
  });

  renderAll();
}
