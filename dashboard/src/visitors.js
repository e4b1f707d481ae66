// Visitors view: who is on the site right now, live. Socket events are queued and
// painted once per animation frame: an arrival adds one row, an update patches one row
// (and moves it only when its place in the sort order changed), a departure fades one
// row out. Nothing re-renders the whole list, so a thousand visitors stay smooth.
import { avatar, updateAvatar } from "./avatar.js";
import { h, icon, setText } from "./dom.js";
import { countryChip, signalBadges } from "./flags.js";
import { paintTypingLine, typingLine } from "./typing.js";
import { liveSince, toMs } from "./time.js";
import { emptyState, skeleton } from "./ui.js";
import { createVisitorProfile } from "./visitor-profile.js";
import { currentPage, device, glyph, localClock, pageName, paintCrumbs, place, source, startLocalClocks } from "./visitor-profile-parts.js";

const LEAVE_MS = 450;
const JOINED_MS = 6000;
const DAY = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const DAY_YEAR = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", year: "numeric" });
const firstSeenText = (ms) => (new Date(ms).getFullYear() === new Date().getFullYear() ? DAY : DAY_YEAR).format(ms);

/** When the current visit started (the server says; older servers: the current page). */
export function visitStart(v) {
  const page = currentPage(v);
  return v.visit_started_at || (page && page.entered_at) || null;
}

const byArrival = (a, b) => (toMs(visitStart(b)) ?? 0) - (toMs(visitStart(a)) ?? 0) || (a.id < b.id ? 1 : -1);
const text = (s) => String(s || "").toLocaleLowerCase();
const chatting = (v) => (v.conversation_id ? 1 : 0);

export const SORTS = {
  arrival: { label: "Newest first", compare: byArrival },
  time: { label: "Longest on site", compare: (a, b) => -byArrival(a, b) },
  country: { label: "Country", compare: (a, b) => text(place(a.geo).text).localeCompare(text(place(b.geo).text)) || byArrival(a, b) },
  page: { label: "Current page", compare: (a, b) => text(pageName(currentPage(a))).localeCompare(text(pageName(currentPage(b)))) || byArrival(a, b) },
  chat: { label: "Chatting first", compare: (a, b) => chatting(b) - chatting(a) || byArrival(a, b) },
  visits: { label: "Most visits", compare: (a, b) => (b.visits || 0) - (a.visits || 0) || byArrival(a, b) },
};

function ordinal(n) {
  const s = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

export function createVisitors({ root, store, openVisitor, typing, nav, profile: sharedProfile }) {
  const rows = new Map(); // id → {li, button, refs, leaving, joined, v}
  let order = []; // ids in display order
  let statusKey = "";
  const filters = { country: "", page: "", returning: false, chatting: false };
  let sort = "arrival";
  const pending = new Map(); // id → "arrival" | "update" | "left"
  let frame = 0;

  const profile = sharedProfile || createVisitorProfile({ store, openVisitor, nav });
  startLocalClocks();

  // ---- toolbar: filters and sort
  const count = h("span", { class: "live-count" });
  const shown = h("span", { class: "vx-shown" });
  const countrySelect = h("select", { class: "select vx-select", "aria-label": "Country" }, h("option", { value: "" }, "All countries"));
  const pageInput = h("input", { class: "input vx-search", type: "search", placeholder: "Filter by page…", "aria-label": "Filter by page" });
  const returningToggle = h("button", { class: "vx-chip", type: "button", "aria-pressed": "false" }, "Returning");
  const chattingToggle = h("button", { class: "vx-chip", type: "button", "aria-pressed": "false" }, "Chatting");
  const sortSelect = h(
    "select",
    { class: "select vx-select", "aria-label": "Sort visitors" },
    Object.entries(SORTS).map(([key, s]) => h("option", { value: key }, s.label)),
  );
  countrySelect.addEventListener("change", () => setFilter("country", countrySelect.value));
  pageInput.addEventListener("input", () => setFilter("page", text(pageInput.value.trim())));
  for (const [button, key] of [
    [returningToggle, "returning"],
    [chattingToggle, "chatting"],
  ]) {
    button.addEventListener("click", () => {
      button.setAttribute("aria-pressed", String(!filters[key]));
      setFilter(key, !filters[key]);
    });
  }
  sortSelect.addEventListener("change", () => {
    sort = sortSelect.value;
    resort();
  });

  const list = h("ul", { class: "vt-list", "aria-label": "Visitors online" });
  const status = h("div", { class: "col-status" });
  const table = h(
    "div",
    { class: "vt" },
    h(
      "div",
      { class: "vt-head", "aria-hidden": "true" },
      h("span", { class: "vt-visitor" }, "Visitor"),
      h("span", { class: "vt-where" }, "Location"),
      h("span", { class: "vt-page" }, "Journey"),
      h("span", { class: "vt-time" }, "On site"),
      h("span", { class: "vt-source" }, "Source"),
      h("span", { class: "vt-device" }, "Device"),
      h("span", { class: "vt-chat" }, "Chat"),
    ),
    list,
  );
  root.append(
    h(
      "header",
      { class: "col-head vx-head" },
      h("h1", { class: "col-title" }, "Visitors"),
      count,
      shown,
      h("div", { class: "vx-tools" }, pageInput, countrySelect, returningToggle, chattingToggle, sortSelect),
    ),
    h("div", { class: "col-scroll" }, table, status),
  );

  // ---- rows

  function buildRow(v) {
    const refs = {
      avatar: avatar({ id: v.id, name: v.name, online: true }),
      name: h("span", { class: "vt-name" }),
      badge: h("span", { class: "pill pill--returning" }),
      sub: h("span", { class: "vt-sub" }),
      signals: h("span", { class: "vx-signals-inline" }),
      typing: typingLine(),
      country: h("span"),
      city: h("span", { class: "vt-city" }),
      clock: h("span", { class: "vt-clock" }),
      pageTitle: h("span", { class: "vt-page-title" }),
      crumbs: h("ol", { class: "vx-crumbs", "aria-label": "Last pages" }),
      time: h("span", { class: "vt-since" }),
      visit: h("span", { class: "vt-sub" }),
      source: h("span", { class: "vt-source-label" }),
      glyphs: h("span", { class: "vt-glyphs" }),
      browser: h("span", { class: "vt-os" }),
      chat: h("span", { class: "vt-chat-state" }),
    };
    const button = h(
      "button",
      { class: "vt-row", type: "button", dataset: { id: v.id }, onclick: () => showProfile(v.id) },
      h(
        "span",
        { class: "vt-visitor" },
        refs.avatar,
        h("span", { class: "vt-who" }, h("span", { class: "vt-name-line" }, refs.name), h("span", { class: "vt-name-line" }, refs.badge, refs.sub), refs.signals, refs.typing),
      ),
      h("span", { class: "vt-where" }, h("span", { class: "vt-place" }, refs.country, refs.city), refs.clock),
      h("span", { class: "vt-page" }, refs.pageTitle, refs.crumbs),
      h("span", { class: "vt-time" }, refs.time, refs.visit),
      h("span", { class: "vt-source" }, refs.source),
      h("span", { class: "vt-device" }, refs.glyphs, refs.browser),
    );
    const chatButton = h("button", { class: "vt-chat", type: "button", onclick: () => start(v.id) }, refs.chat);
    const li = h("li", { class: "vt-item", dataset: { id: v.id } }, h("div", { class: "vt-line" }, button, chatButton));
    const row = { li, button, chatButton, refs, leaving: 0, joined: 0, v: null, keys: {} };
    rows.set(v.id, row);
    return row;
  }

  /** Patch what changed; `keys` remembers what each part last showed. */
  function paint(v) {
    const row = rows.get(v.id) || buildRow(v);
    const { refs, keys } = row;
    row.v = v;
    const name = v.name || "Visitor";
    updateAvatar(refs.avatar, { id: v.id, name, online: v.online !== false });
    setText(refs.name, name);
    const returning = v.returning === true || v.visits > 1;
    refs.badge.hidden = !returning;
    setText(refs.badge, returning ? "Returning" : "");
    const firstSeen = toMs(v.first_seen);
    refs.badge.title = returning && firstSeen ? `First seen ${DAY_YEAR.format(firstSeen)}` : "";
    const sub = [v.email || (returning && firstSeen ? `since ${firstSeenText(firstSeen)}` : "First visit")];
    if (store.multiSite() && store.state.siteId == null) sub.push(store.siteName(v.site_id));
    setText(refs.sub, sub.filter(Boolean).join(" · "));
    const flagsKey = JSON.stringify(v.flags || {});
    if (keys.flags !== flagsKey) {
      keys.flags = flagsKey;
      refs.signals.replaceChildren(...signalBadges(v.flags));
    }
    paintTypingLine(refs.typing, typing.visitor(v.id));
    row.button.classList.toggle("is-idle", v.presence === "idle");

    const geo = v.geo || {};
    const where = place(geo);
    const geoKey = `${geo.country_code}|${geo.flag}|${geo.private}`;
    if (keys.geo !== geoKey) {
      keys.geo = geoKey;
      refs.country.replaceChildren(countryChip(geo));
      countriesDirty = true;
    }
    setText(refs.city, where.short);
    refs.city.title = where.title;
    localClock(refs.clock, geo.time_zone);

    const now = currentPage(v);
    const page = now || {};
    setText(refs.pageTitle, pageName(page));
    refs.pageTitle.title = page.url || "";
    paintCrumbs(refs.crumbs, v.pages, !!now);

    if (keys.since !== visitStart(v)) {
      keys.since = visitStart(v);
      liveSince(refs.time, keys.since);
    }
    setText(refs.visit, v.visits > 1 ? `${ordinal(v.visits)} visit` : "1st visit");

    const src = source(v.source);
    setText(refs.source, src.text);
    refs.source.title = src.title;

    const dev = device(v.device);
    const devKey = dev.glyphs.map((g) => g.join(":")).join("|");
    if (keys.device !== devKey) {
      keys.device = devKey;
      refs.glyphs.replaceChildren(...dev.glyphs.map(([g, label]) => glyph(g, label)));
    }
    setText(refs.browser, [dev.browser, dev.os].filter(Boolean).join(" · ") || "Unknown browser");

    paintChat(row, v);
    row.button.setAttribute("aria-label", `${name}${returning ? ", returning" : ""}, ${where.text}, on ${page.title || page.url || "an unknown page"}. Show profile.`);
    setCurrent(row, v);
    row.li.hidden = !matches(v);
    return row;
  }

  function paintChat(row, v) {
    const state = row.joined ? "joined" : v.conversation_id ? "chat" : "start";
    if (row.keys.chat === state) return;
    row.keys.chat = state;
    const { chat } = row.refs;
    chat.replaceChildren();
    if (state === "joined") chat.append(h("span", { class: "pill pill--joined" }, "Opened chat"));
    else if (state === "chat") chat.append(h("span", { class: "pill pill--chat" }, icon("chat", 12), "In chat"));
    else chat.append(h("span", { class: "vt-start" }, "Start chat"));
    row.chatButton.setAttribute("aria-label", `${state === "start" ? "Start a chat with" : "Open the chat with"} ${v.name || "this visitor"}`);
  }

  function setCurrent(row, v) {
    const open = store.state.openId;
    if (open && v.conversation_id === open) row.button.setAttribute("aria-current", "true");
    else row.button.removeAttribute("aria-current");
  }

  async function start(id) {
    const v = store.state.visitors.get(id);
    const row = rows.get(id);
    if (!v || !row || row.chatButton.getAttribute("aria-busy") === "true") return;
    row.chatButton.setAttribute("aria-busy", "true");
    try {
      await openVisitor(v);
    } finally {
      row.chatButton.removeAttribute("aria-busy");
    }
  }

  function showProfile(id) {
    const v = store.state.visitors.get(id);
    const row = rows.get(id);
    if (v) profile.open(v, row && row.button);
  }

  // ---- filters and order

  function matches(v) {
    if (filters.country && (v.geo || {}).country_code !== filters.country) return false;
    if (filters.returning && !(v.returning || v.visits > 1)) return false;
    if (filters.chatting && !v.conversation_id) return false;
    if (filters.page) {
      const page = currentPage(v) || {};
      if (!text(page.url).includes(filters.page) && !text(page.title).includes(filters.page)) return false;
    }
    return true;
  }

  function setFilter(key, value) {
    filters[key] = value;
    for (const row of rows.values()) if (row.v) row.li.hidden = !matches(row.v);
    chrome();
  }

  const compare = (a, b) => SORTS[sort].compare(a, b);

  /** Where `v` belongs in `order` (binary search; `order` minus `v` is sorted). */
  function slot(v) {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = rows.get(order[mid]).v;
      if (compare(other, v) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function place_(row) {
    const v = row.v;
    const at = order.indexOf(v.id);
    if (at >= 0) {
      const before = at > 0 ? rows.get(order[at - 1]).v : null;
      const after = at < order.length - 1 ? rows.get(order[at + 1]).v : null;
      if ((!before || compare(before, v) <= 0) && (!after || compare(v, after) <= 0)) return; // still in place
      order.splice(at, 1);
    }
    const to = slot(v);
    order.splice(to, 0, v.id);
    const next = to + 1 < order.length ? rows.get(order[to + 1]).li : null;
    list.insertBefore(row.li, next);
  }

  function resort() {
    order = [...rows.values()].filter((r) => r.v && !r.leaving).map((r) => r.v).sort(compare).map((v) => v.id);
    const frag = document.createDocumentFragment();
    for (const id of order) frag.append(rows.get(id).li);
    for (const row of rows.values()) if (row.leaving) frag.append(row.li);
    list.append(frag);
  }

  // ---- the frame loop: every event of a frame is painted at once

  function queue(id, what) {
    const before = pending.get(id);
    pending.set(id, before === "arrival" && what === "update" ? "arrival" : what);
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function flush() {
    frame = 0;
    for (const [id, what] of pending) {
      if (what === "left") remove(id);
      else {
        const v = store.state.visitors.get(id);
        if (v) upsert(v, what);
      }
    }
    pending.clear();
    chrome();
  }

  function upsert(v, kind) {
    const existing = rows.get(v.id);
    if (existing && existing.leaving) {
      clearTimeout(existing.leaving);
      existing.leaving = 0;
      existing.li.classList.remove("is-leaving");
    }
    const isNew = !existing || !existing.li.parentNode;
    const row = paint(v);
    place_(row);
    if (isNew && kind === "arrival") flash(row.li, "is-new");
  }

  function remove(id) {
    const row = rows.get(id);
    if (!row || row.leaving) return;
    countriesDirty = true;
    const at = order.indexOf(id);
    if (at >= 0) order.splice(at, 1);
    row.li.classList.add("is-leaving");
    row.leaving = setTimeout(() => {
      row.li.remove();
      rows.delete(id);
      chrome();
    }, LEAVE_MS);
  }

  function renderAll() {
    countriesDirty = true;
    for (const row of rows.values()) {
      clearTimeout(row.leaving);
      clearTimeout(row.joined);
    }
    rows.clear();
    pending.clear();
    const visitors = [...store.state.visitors.values()].sort(compare);
    order = visitors.map((v) => v.id);
    list.replaceChildren(...visitors.map((v) => paint(v).li));
    chrome();
  }

  let countriesKey = "";
  let countriesDirty = true; // a visitor came, left or moved country
  function countryOptions() {
    if (!countriesDirty) return;
    countriesDirty = false;
    const seen = new Map();
    for (const v of store.state.visitors.values()) {
      const g = v.geo || {};
      if (g.country_code && !seen.has(g.country_code)) seen.set(g.country_code, g.country || g.country_code);
    }
    if (filters.country && !seen.has(filters.country)) seen.set(filters.country, filters.country);
    const key = [...seen.keys()].sort().join(",");
    if (key === countriesKey) return;
    countriesKey = key;
    const options = [...seen].sort((a, b) => a[1].localeCompare(b[1])).map(([code, name]) => h("option", { value: code }, name));
    countrySelect.replaceChildren(h("option", { value: "" }, "All countries"), ...options);
    countrySelect.value = filters.country;
  }

  function chrome() {
    const st = store.state.visitorsStatus;
    const n = store.state.visitors.size;
    setText(count, st === "ready" ? `${n} online` : "");
    count.classList.toggle("is-live", st === "ready" && n > 0);
    const filtering = filters.country || filters.page || filters.returning || filters.chatting;
    let visible = 0;
    if (filtering) for (const row of rows.values()) if (!row.leaving && !row.li.hidden) visible++;
    setText(shown, filtering && st === "ready" ? `${visible} shown` : "");
    countryOptions();
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
  store.on("visitor", (v, kind) => queue(v.id, kind));
  store.on("visitor_left", (id) => queue(id, "left"));
  store.on("joined", joined);
  store.on("open", () => {
    for (const [id, row] of rows) {
      const v = store.state.visitors.get(id);
      if (v) setCurrent(row, v);
    }
  });

  renderAll();
  return { profile };
}
