// Visitors view: who is on the site right now. Arrivals add a row, updates
// patch one row, departures fade one row out; nothing else is re-rendered.
import { avatar, updateAvatar } from "./avatar.js";
import { h, icon, setText } from "./dom.js";
import { shortUrl } from "./text.js";
import { paintTypingLine, typingLine } from "./typing.js";
import { liveSince, toMs } from "./time.js";
import { deviceParts } from "./ua.js";
import { emptyState, skeleton } from "./ui.js";

const VISIT_GAP_MS = 30 * 60_000;
const LEAVE_MS = 450;
const JOINED_MS = 6000;

/**
 * When this visit started: walk back through the recent pages (newest first)
 * while each page began within 30 minutes of the previous one ending.
 */
export function visitStart(v) {
  const current = v.current_page || null;
  let startIso = current && current.entered_at;
  let start = toMs(startIso);
  for (const page of v.pages || []) {
    const entered = toMs(page.entered_at);
    if (entered == null) break;
    if (start != null && entered > start) continue;
    const ended = toMs(page.left_at) ?? entered + (page.seconds || 0) * 1000;
    if (start != null && start - ended > VISIT_GAP_MS) break;
    start = entered;
    startIso = page.entered_at;
  }
  return startIso || null;
}

export function createVisitors({ root, store, openVisitor, typing }) {
  const rows = new Map(); // id → {li, button, refs, leaving, joined}
  let statusKey = "";

  const count = h("span", { class: "live-count" });
  const list = h("ul", { class: "vt-list", "aria-label": "Visitors online" });
  const status = h("div", { class: "col-status" });
  const table = h(
    "div",
    { class: "vt" },
    h(
      "div",
      { class: "vt-head", "aria-hidden": "true" },
      h("span", { class: "vt-visitor" }, "Visitor"),
      h("span", { class: "vt-page" }, "Current page"),
      h("span", { class: "vt-time" }, "On site"),
      h("span", { class: "vt-device" }, "Device"),
      h("span", { class: "vt-chat" }, "Chat"),
    ),
    list,
  );
  root.append(
    h("header", { class: "col-head" }, h("h1", { class: "col-title" }, "Visitors"), count),
    h("div", { class: "col-scroll" }, table, status),
  );

  function buildRow(v) {
    const refs = {
      avatar: avatar({ id: v.id, name: v.name, online: true }),
      name: h("span", { class: "vt-name" }),
      badge: h("span", { class: "pill pill--returning" }),
      sub: h("span", { class: "vt-sub" }),
      typing: typingLine(),
      pageTitle: h("span", { class: "vt-page-title" }),
      pageUrl: h("span", { class: "vt-page-url" }),
      time: h("span", { class: "vt-since" }),
      browser: h("span", { class: "vt-browser" }),
      os: h("span", { class: "vt-os" }),
      chat: h("span", { class: "vt-chat-state" }),
    };
    const button = h(
      "button",
      { class: "vt-row", type: "button", dataset: { id: v.id }, onclick: () => start(v.id) },
      h(
        "span",
        { class: "vt-visitor" },
        refs.avatar,
        h("span", { class: "vt-who" }, h("span", { class: "vt-name-line" }, refs.name, refs.badge), refs.sub, refs.typing),
      ),
      h("span", { class: "vt-page" }, refs.pageTitle, refs.pageUrl),
      h("span", { class: "vt-time" }, refs.time),
      h("span", { class: "vt-device" }, refs.browser, refs.os),
      h("span", { class: "vt-chat" }, refs.chat),
    );
    const row = { li: h("li", { class: "vt-item" }, button), button, refs, leaving: 0, joined: 0 };
    rows.set(v.id, row);
    return row;
  }

  function paint(v) {
    const row = rows.get(v.id) || buildRow(v);
    const { refs } = row;
    const name = v.name || "Visitor";
    updateAvatar(refs.avatar, { id: v.id, name, online: v.online !== false });
    setText(refs.name, name);
    const returning = v.returning === true || v.visits > 1;
    setText(refs.badge, returning ? "Returning" : "");
    refs.badge.hidden = !returning;
    refs.badge.title = returning && v.visits > 1 ? `${v.visits} visits` : "";
    const sub = [];
    if (v.email) sub.push(v.email);
    else sub.push(v.visits > 1 ? `${v.visits} visits` : "First visit");
    if (store.multiSite() && store.state.siteId == null) sub.push(store.siteName(v.site_id));
    setText(refs.sub, sub.filter(Boolean).join(" · "));
    paintTypingLine(refs.typing, typing.visitor(v.id));
    row.button.classList.toggle("is-idle", v.presence === "idle");

    const page = v.current_page || {};
    setText(refs.pageTitle, page.title || shortUrl(page.url) || "—");
    setText(refs.pageUrl, page.url ? shortUrl(page.url) : "");
    refs.pageUrl.hidden = !page.title || !page.url;
    row.button.title = page.url || "";

    liveSince(refs.time, visitStart(v));

    const device = deviceParts(v.device);
    setText(refs.browser, device.browser || "Unknown browser");
    setText(refs.os, [device.os, device.type !== "desktop" ? device.type : ""].filter(Boolean).join(" · "));

    paintChat(row, v);
    row.button.setAttribute("aria-label", `${name}${returning ? ", returning" : ""}, on ${page.title || page.url || "an unknown page"}. Open chat.`);
    setCurrent(row, v);
    return row;
  }

  function paintChat(row, v) {
    const { chat } = row.refs;
    chat.replaceChildren();
    if (row.joined) chat.append(h("span", { class: "pill pill--joined" }, "Opened chat"));
    else if (v.conversation_id) chat.append(h("span", { class: "pill pill--chat" }, icon("chat", 12), "In chat"));
    else chat.append(h("span", { class: "vt-start" }, "Start chat"));
  }

  function setCurrent(row, v) {
    const open = store.state.openId;
    if (open && v.conversation_id === open) row.button.setAttribute("aria-current", "true");
    else row.button.removeAttribute("aria-current");
  }

  async function start(id) {
    const v = store.state.visitors.get(id);
    const row = rows.get(id);
    if (!v || !row || row.button.getAttribute("aria-busy") === "true") return;
    row.button.setAttribute("aria-busy", "true");
    try {
      await openVisitor(v);
    } finally {
      row.button.removeAttribute("aria-busy");
    }
  }

  function renderAll() {
    for (const row of rows.values()) {
      clearTimeout(row.leaving);
      clearTimeout(row.joined);
    }
    rows.clear();
    const visitors = [...store.state.visitors.values()].sort(
      (a, b) => (toMs(visitStart(b)) ?? 0) - (toMs(visitStart(a)) ?? 0),
    );
    list.replaceChildren(...visitors.map((v) => paint(v).li));
    chrome();
  }

  function chrome() {
    const st = store.state.visitorsStatus;
    const n = store.state.visitors.size;
    setText(count, st === "ready" ? `${n} online` : "");
    count.classList.toggle("is-live", st === "ready" && n > 0);
    table.hidden = st !== "ready" || n === 0;
    const key = n ? "rows" : st;
    if (key === statusKey) return;
    statusKey = key;
    status.replaceChildren();
    if (st === "loading" && n === 0) status.append(skeleton(5));
    else if (st === "error" && n === 0) {
      status.append(emptyState({ icon: "alert", title: "Couldn’t load visitors", text: store.state.visitorsError }));
    } else if (st === "ready" && n === 0) {
      status.append(
        emptyState({
          icon: "users",
          title: "No one is on your site right now",
          text: "Visitors appear here the moment they open a page with the widget.",
        }),
      );
    }
  }

  function upsert(v, kind) {
    const existing = rows.get(v.id);
    if (existing && existing.leaving) {
      clearTimeout(existing.leaving);
      existing.leaving = 0;
      existing.li.classList.remove("is-leaving");
    }
    const row = paint(v);
    if (!row.li.parentNode) {
      list.prepend(row.li);
      if (kind === "arrival") flash(row.li, "is-new");
    }
    chrome();
  }

  function remove(id) {
    const row = rows.get(id);
    if (!row) return;
    row.li.classList.add("is-leaving");
    row.leaving = setTimeout(() => {
      row.li.remove();
      rows.delete(id);
      chrome();
    }, LEAVE_MS);
    setText(count, `${store.state.visitors.size} online`);
  }

  function joined(evt) {
    const row = rows.get(evt.visitor_id);
    const v = store.state.visitors.get(evt.visitor_id);
    if (!row || !v) return;
    clearTimeout(row.joined);
    flash(row.li, "is-joined", JOINED_MS);
    row.joined = setTimeout(() => {
      row.joined = 0;
      const latest = store.state.visitors.get(evt.visitor_id);
      if (latest) paintChat(row, latest);
    }, JOINED_MS);
    paintChat(row, v);
  }

  function flash(el, cls, ms = 1600) {
    el.classList.remove(cls);
    void el.offsetWidth; // restart the animation
    el.classList.add(cls);
    setTimeout(() => el.classList.remove(cls), ms);
  }

  store.on("visitors", renderAll);
  typing.on((change) => change.kind === "visitor" && rows.has(change.visitorId) && store.state.visitors.has(change.visitorId) && paint(store.state.visitors.get(change.visitorId)));
  store.on("visitor", upsert);
  store.on("visitor_left", remove);
  store.on("joined", joined);
  store.on("open", () => {
    for (const [id, row] of rows) {
      const v = store.state.visitors.get(id);
      if (v) setCurrent(row, v);
    }
  });

  renderAll();
}
