// Inbox column: the views (Mine, Unassigned, All open, Snoozed, Resolved) with live
// counts, a sort (latest activity: unread first; or waiting longest first) and a tag
// filter, all kept across reloads. Live updates patch and move one row, and drop a row
// that no longer belongs to the view; the list is rebuilt only when a page loads.
import { avatar, updateAvatar } from "./avatar.js";
import { h, setText } from "./dom.js";
import { createSentiments, moodOf } from "./inbox-sentiment.js";
import { compareIds, isMissed } from "./store.js";
import { liveRelative, toMs } from "./time.js";
import { paintTypingLine, typingLine } from "./typing.js";
import { emptyState, skeleton } from "./ui.js";

const VIEWS = [
  ["mine", "Mine"],
  ["unassigned", "Unassigned"],
  ["open", "All open"],
  ["missed", "Missed"],
  ["snoozed", "Snoozed"],
  ["resolved", "Resolved"],
];

/** "under a minute", "5 min", "3 h", "2 days": how long a visitor has waited. */
export function waitedFor(iso, now = Date.now()) {
  const ms = toMs(iso);
  if (ms == null) return "";
  const minutes = Math.floor(Math.max(0, now - ms) / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

export function compareConversations(a, b, sort = "activity") {
  if (sort === "waiting") {
    const wa = a.waiting_since || "~";
    const wb = b.waiting_since || "~";
    if (wa !== wb) return wa < wb ? -1 : 1;
  } else {
    const ua = a.unread_by_agent > 0 ? 1 : 0;
    const ub = b.unread_by_agent > 0 ? 1 : 0;
    if (ua !== ub) return ub - ua;
  }
  return compareIds(b.activity_id, a.activity_id) || compareIds(b.last_activity_at, a.last_activity_at) || compareIds(b.id, a.id);
}

export function createInbox({ root, store, sync, nav, typing }) {
  const rows = new Map(); // id → {li, button, refs}
  let order = []; // ids, in display order
  let statusKey = "";
  const sortNow = (a, b) => compareConversations(a, b, store.state.inbox.sort);
  const sentiments = createSentiments({
    onScores(ids) {
      for (const id of ids) {
        const c = store.state.conversations.get(id);
        if (c && rows.has(id)) paint(c);
      }
    },
  });

  const count = h("span", { class: "col-count" });
  const list = h("ul", { class: "conv-list", "aria-label": "Conversations" });
  const moreButton = h("button", { class: "btn btn-quiet load-more", type: "button", onclick: loadMore }, "Load older conversations");
  const status = h("div", { class: "col-status" });
  const scroller = h("div", { class: "col-scroll" }, list, status, moreButton);

  // ---- views, sort, tag filter
  const tabs = new Map();
  const viewBar = h(
    "div",
    { class: "inbox-views", role: "tablist", "aria-label": "Inbox views" },
    VIEWS.map(([view, label]) => {
      const n = h("span", { class: "inbox-view-count" });
      const tab = h(
        "button",
        { class: "inbox-view", type: "button", role: "tab", dataset: { view }, onclick: () => store.setInbox({ view }) },
        h("span", { class: "inbox-view-label" }, label),
        n,
      );
      tabs.set(view, { tab, n });
      return tab;
    }),
  );
  const sortSelect = h(
    "select",
    { class: "select select--sm", "aria-label": "Sort conversations", onchange: () => store.setInbox({ sort: sortSelect.value }) },
    h("option", { value: "activity" }, "Latest activity"),
    h("option", { value: "waiting" }, "Waiting longest"),
  );
  const tagSelect = h("select", {
    class: "select select--sm",
    "aria-label": "Filter by tag",
    onchange: () => store.setInbox({ tag: tagSelect.value || null }),
  });
  const tools = h("div", { class: "inbox-tools" }, sortSelect, tagSelect);
  root.append(h("header", { class: "col-head" }, h("h1", { class: "col-title" }, "Inbox"), count), viewBar, tools, scroller);

  function paintViews() {
    const { view, sort, tag } = store.state.inbox;
    const counts = store.state.counts || {};
    for (const [key, { tab, n }] of tabs) {
      tab.setAttribute("aria-selected", key === view ? "true" : "false");
      setText(n, counts[key] == null ? "" : counts[key] > 999 ? "999+" : String(counts[key]));
    }
    sortSelect.value = sort;
    const names = new Map();
    for (const site of store.state.desk.values()) for (const t of site.tags || []) names.set(t.name, t);
    if (tag && !names.has(tag)) names.set(tag, { name: tag });
    tagSelect.replaceChildren(
      h("option", { value: "" }, "All tags"),
      [...names.keys()].sort().map((name) => h("option", { value: name }, `# ${name}`)),
    );
    tagSelect.value = tag || "";
    tagSelect.hidden = names.size === 0;
  }

  function tagColor(siteId, name) {
    const found = store.tagsOf(siteId).find((t) => t.name === name);
    return found ? found.color : "#9d9daa";
  }

  function assigneeName(c) {
    if (c.assignee_id == null) return "";
    if (String(c.assignee_id) === String(store.state.agent.id)) return "You";
    const member = store.teamOf(c.site_id).find((m) => String(m.id) === String(c.assignee_id));
    return member ? member.name : "Assigned";
  }

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
      tags: h("span", { class: "conv-tags" }),
      assignee: h("span", { class: "conv-assignee" }),
      waiting: h("span", { class: "conv-waiting" }),
      mood: h("span", { class: "conv-mood", hidden: true }),
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
        h("span", { class: "conv-extra" }, refs.waiting, refs.mood, refs.tags, refs.assignee),
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
    row.button.classList.toggle("is-closed", c.status === "resolved" || c.status === "closed");
    row.button.classList.toggle("is-snoozed", c.status === "snoozed");
    refs.tags.replaceChildren(
      ...(c.tags || []).map((name) =>
        h("span", { class: "tag-chip", style: `--tag:${tagColor(c.site_id, name)}` }, h("span", { class: "tag-dot" }), name),
      ),
    );
    const owner = assigneeName(c);
    setText(refs.assignee, owner);
    refs.assignee.hidden = !owner;
    const waiting = c.status === "open" && c.waiting_since;
    const minutes = store.missedMinutes(c.site_id);
    const missed = waiting && isMissed(c, minutes);
    setText(refs.waiting, waiting ? `${missed ? "Missed · w" : "W"}aiting ${waitedFor(c.waiting_since)}` : "");
    refs.waiting.classList.toggle("is-missed", !!missed);
    refs.waiting.title = waiting
      ? `Since the oldest visitor message nobody has answered${missed ? ` (missed: no reply within ${minutes} min)` : ""}`
      : "";
    refs.waiting.hidden = !waiting;
    const score = sentiments.score(c);
    const mood = moodOf(score);
    const shown = mood === "positive" || mood === "negative";
    setText(refs.mood, shown ? (mood === "positive" ? "Positive" : "Negative") : "");
    refs.mood.dataset.mood = mood || "";
    refs.mood.title = shown ? `The visitor's messages read ${mood} (sentiment ${score.toFixed(2)} from -1 to 1)` : "";
    refs.mood.hidden = !shown;
    row.button.querySelector(".conv-extra").hidden = !(owner || waiting || shown || (c.tags || []).length);
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
      if (sortNow(conversations.get(order[mid]), c) <= 0) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, c.id);
    const next = order[lo + 1] ? rows.get(order[lo + 1]).li : null;
    if (row.li.parentNode !== list || row.li.nextSibling !== next) list.insertBefore(row.li, next);
  }

  function drop(id) {
    const at = order.indexOf(id);
    if (at !== -1) order.splice(at, 1);
    const row = rows.get(id);
    if (row) row.li.remove();
    rows.delete(id);
  }

  function renderAll() {
    const conversations = [...store.state.conversations.values()].filter((c) => store.inView(c)).sort(sortNow);
    order = conversations.map((c) => c.id);
    const shown = new Set(order);
    for (const id of rows.keys()) if (!shown.has(id)) rows.delete(id);
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
      status.append(emptyState(emptyText()));
    }
  }

  function emptyText() {
    const { view, tag } = store.state.inbox;
    const tagged = tag ? ` tagged “${tag}”` : "";
    if (view === "mine") return { icon: "inbox", title: `Nothing assigned to you${tagged}`, text: "Conversations you take, or that are assigned to you, show up here." };
    if (view === "unassigned") return { icon: "inbox", title: `No unassigned conversations${tagged}`, text: "Every open conversation has someone on it." };
    if (view === "snoozed") return { icon: "clock", title: `Nothing snoozed${tagged}`, text: "Snoozed conversations come back when their time is up or the visitor writes." };
    if (view === "resolved") return { icon: "check", title: `Nothing resolved yet${tagged}`, text: "Resolved conversations are kept here; a visitor’s new message reopens them." };
    if (view === "missed") return { icon: "check", title: `Nothing missed${tagged}`, text: "Conversations whose visitor waited longer than your missed time for a reply show up here." };
    if (tag) return { icon: "inbox", title: `No open conversations tagged “${tag}”`, text: "Pick another tag, or All tags." };
    return { icon: "chat", title: "No open conversations", text: "Open your site and say hi through the widget — the chat shows up here right away." };
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
    if (!store.inView(c)) drop(c.id);
    else place(c, paint(c));
    chrome();
  });
  store.on("counts", paintViews);
  store.on("missed", () => {
    for (const c of store.state.conversations.values()) if (rows.has(c.id)) paint(c);
  });
  store.on("desk", () => {
    paintViews();
    renderAll();
  });
  store.on("inbox", paintViews);
  store.on("open", (id, prev) => {
    if (prev && rows.has(prev)) setCurrent(rows.get(prev), false);
    if (id && rows.has(id)) setCurrent(rows.get(id), true);
  });

  paintViews();
  renderAll();
}
