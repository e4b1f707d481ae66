// The visitor profile: a panel that slides over the chat column with everything known
// about one visitor: where (map, coordinates, local time), the device, signals, every
// visit with its page journey, and past conversations. Kept fresh while it is open.
import { avatar } from "./avatar.js";
import { h, icon, setText } from "./dom.js";
import { emptyState } from "./ui.js";
import { countryChip, signals } from "./flags.js";
import { device, glyph, localClock, pageName, place, source } from "./visitor-profile-parts.js";
import { worldMap } from "./visitor-profile-map.js";
import { clock, dayLabel, duration, liveSince, relative } from "./time.js";

const REFRESH_MS = 1500;
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

function coordinates(lat, lon) {
  if (typeof lat !== "number" || typeof lon !== "number") return "";
  const ns = `${Math.abs(lat).toFixed(2)}° ${lat >= 0 ? "N" : "S"}`;
  const ew = `${Math.abs(lon).toFixed(2)}° ${lon >= 0 ? "E" : "W"}`;
  return `${ns}, ${ew}`;
}

function facts(rows) {
  return h(
    "dl",
    { class: "vx-facts" },
    rows.filter(([, value]) => value !== "" && value != null).map(([name, value]) => [h("dt", null, name), h("dd", null, String(value))]),
  );
}

function section(title, ...children) {
  return h("section", { class: "vx-section" }, h("h3", { class: "vx-section-title" }, title), ...children);
}

/** The team's private notes about a visitor, newest first (agents only). */
export function noteList(notes) {
  return h(
    "ul",
    { class: "vx-notes" },
    notes.map((n) =>
      h(
        "li",
        { class: "vx-note" },
        h("p", { class: "vx-note-text" }, n.text),
        h("span", { class: "vx-muted" }, `${n.author.name || "Agent"} · ${relative(n.created_at)}`),
      ),
    ),
  );
}

export function createVisitorProfile({ store, openVisitor, nav }) {
  let current = null; // {siteId, id, returnFocus}
  let loading = 0;
  let refreshTimer = 0;

  const title = h("h2", { class: "vx-panel-name", id: "vx-panel-name" });
  const who = h("div", { class: "vx-panel-who" });
  const body = h("div", { class: "vx-panel-body" });
  const closeButton = h("button", { class: "icon-btn", type: "button", "aria-label": "Close profile", onclick: () => close() }, icon("x", 18));
  const chatLabel = h("span", null, "Start chat");
  const chatButton = h("button", { class: "btn btn-primary vx-panel-chat", type: "button", onclick: () => startChat() }, icon("chat", 15), chatLabel);
  const foot = h("footer", { class: "vx-panel-foot" }, chatButton);
  const panel = h(
    "aside",
    { class: "vx-panel", role: "dialog", "aria-labelledby": "vx-panel-name", hidden: true },
    h("header", { class: "vx-panel-head" }, who, closeButton),
    body,
    foot,
  );
  (document.getElementById("app") || document.body).append(panel);

  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
  });

  async function load() {
    if (!current) return;
    const mine = ++loading;
    const { siteId, id } = current;
    let data = null;
    try {
      const res = await fetch(`/api/v1/sites/${siteId}/visitors/${encodeURIComponent(id)}`, { credentials: "same-origin" });
      data = await res.json();
    } catch {
      data = { ok: false, error: "Couldn’t reach the server." };
    }
    if (mine !== loading || !current || current.id !== id) return;
    if (!data || !data.ok) {
      const gone = data && data.code === "not_found";
      body.replaceChildren(
        emptyState({
          icon: "alert",
          title: gone ? "No such visitor" : "Couldn’t load this visitor",
          text: gone ? "This visitor isn’t on this site, or their data was erased." : (data && data.error) || "Try again in a moment.",
        }),
      );
      foot.hidden = true;
      return;
    }
    foot.hidden = false;
    render(data);
  }

  function render({ visitor: v, visits, conversations, notes = [] }) {
    const returning = v.returning || v.visits > 1;
    // A visitor already in a chat is offered that chat, not a new one.
    const inChat = Boolean(v.conversation_id) || (conversations || []).some((c) => c.status === "open");
    setText(chatLabel, inChat ? "Open chat" : "Start chat");
    setText(title, v.name || "Visitor");
    who.replaceChildren(
      avatar({ id: v.id, name: v.name, online: v.online }),
      h(
        "div",
        { class: "vx-panel-id" },
        h("div", { class: "vx-panel-line" }, title, returning ? h("span", { class: "pill pill--returning" }, "Returning") : null),
        h(
          "div",
          { class: "vx-panel-sub" },
          v.online ? (v.presence === "idle" ? "Online, tab in the background" : "Online now") : `Last seen ${relative(v.last_seen)}`,
          " · ",
          `${v.visits} ${v.visits === 1 ? "visit" : "visits"} since ${DAY.format(new Date(v.first_seen))}`,
        ),
      ),
    );
    const geo = v.geo || {};
    const where = place(geo);
    const dev = device(v.device);
    const d = v.device || {};
    const sigs = signals(v.flags);
    const sections = [
      section(
        "Location",
        h(
          "div",
          { class: "vx-where" },
          worldMap(geo.lat, geo.lon, where.text),
          h(
            "div",
            { class: "vx-where-text" },
            h("div", { class: "vx-where-place" }, countryChip(geo), h("span", { title: where.title }, where.title || where.text)),
            h("div", { class: "vx-muted" }, coordinates(geo.lat, geo.lon) || (geo.private ? "Private network address" : "No coordinates")),
            geo.time_zone
              ? h("div", { class: "vx-muted" }, glyph("clock"), " ", localClock(h("span"), geo.time_zone), ` local time · ${geo.time_zone}`)
              : null,
          ),
        ),
      ),
      sigs.length
        ? section("Signals", h("ul", { class: "vx-signals" }, sigs.map((s) => h("li", { class: `vx-signal-row vx-signal-row--${s.kind}` }, h("strong", null, s.label), h("span", null, s.title)))))
        : null,
      section(
        "Device",
        h("div", { class: "vx-device-line" }, dev.glyphs.map(([name, label]) => glyph(name, label)), h("span", null, [dev.browser, dev.os, dev.type].filter(Boolean).join(" · "))),
        facts([
          ["Screen", d.screen],
          ["Pixel ratio", d.pixel_ratio],
          ["Colour depth", d.color_depth ? `${d.color_depth}-bit` : ""],
          ["CPU cores", d.cores],
          ["Memory", d.memory ? `${d.memory} GB` : ""],
          ["Graphics", d.gpu],
          ["Languages", (d.languages || []).join(", ") || d.language],
          ["Browser time zone", d.time_zone],
          ["Touch points", d.touch_points],
          ["Platform", d.platform],
        ]),
      ),
      section(`Visits (${visits.length})`, visits.length ? h("ol", { class: "vx-visits" }, visits.map((visit, i) => visitItem(visit, i === 0 && v.online))) : h("p", { class: "vx-muted" }, "No pages recorded.")),
      section(
        `Conversations (${conversations.length})`,
        conversations.length
          ? h(
              "ul",
              { class: "vx-convs" },
              conversations.map((c) =>
                h(
                  "li",
                  null,
                  h(
                    "button",
                    { class: "vx-conv", type: "button", onclick: () => (nav ? nav.go("inbox", c.id) : null) },
                    h("span", { class: `vx-conv-status vx-conv-status--${c.status}` }, c.status === "open" ? "Open" : "Closed"),
                    h("span", { class: "vx-conv-preview" }, c.preview || "No messages yet"),
                    h("span", { class: "vx-muted" }, relative(c.last_activity_at)),
                  ),
                ),
              ),
            )
          : h("p", { class: "vx-muted" }, "No conversations yet."),
      ),
    ];
    if (notes.length) sections.push(section(`Notes (${notes.length})`, noteList(notes)));
    body.replaceChildren(...sections.filter(Boolean));
  }

  function visitItem(visit, ongoing) {
    const src = source(visit.source);
    const pages = visit.pages || [];
    const seconds = visit.seconds ? duration(visit.seconds * 1000) : "";
    return h(
      "li",
      { class: "vx-visit" },
      h(
        "div",
        { class: "vx-visit-head" },
        h("strong", null, `${dayLabel(visit.started_at)} ${clock(visit.started_at)}`),
        h("span", { class: "vx-muted" }, [`${pages.length} ${pages.length === 1 ? "page" : "pages"}`, seconds && `${seconds} viewed`, ongoing ? "now" : ""].filter(Boolean).join(" · ")),
        h("span", { class: "vx-visit-source", title: src.title }, src.text),
      ),
      h(
        "ol",
        { class: "vx-journey" },
        pages.map((p, i) => {
          const live = ongoing && i === pages.length - 1 && !p.left_at;
          const time = h("span", { class: "vx-journey-time" });
          if (live) liveSince(time, p.entered_at);
          else setText(time, p.seconds != null ? duration(p.seconds * 1000) : "—");
          return h(
            "li",
            { class: live ? "vx-journey-page is-current" : "vx-journey-page" },
            h("span", { class: "vx-journey-at" }, clock(p.entered_at)),
            h("span", { class: "vx-journey-name", title: p.url }, pageName(p)),
            time,
          );
        }),
      ),
      visit.partial ? h("p", { class: "vx-muted" }, "Older pages of this visit are not shown.") : null,
    );
  }

  async function startChat() {
    if (!current) return;
    const v = store.state.visitors.get(current.id);
    chatButton.disabled = true;
    try {
      await openVisitor(v || { id: current.id, site_id: current.siteId, name: title.textContent });
      close();
    } finally {
      chatButton.disabled = false;
    }
  }

  function open(v, returnFocus) {
    current = { siteId: v.site_id, id: v.id, returnFocus };
    body.replaceChildren(h("p", { class: "vx-muted vx-panel-loading" }, "Loading…"));
    setText(title, v.name || "Visitor");
    who.replaceChildren(avatar({ id: v.id, name: v.name, online: v.online }), h("div", { class: "vx-panel-id" }, title));
    setText(chatLabel, v.conversation_id ? "Open chat" : "Start chat");
    foot.hidden = false;
    panel.hidden = false;
    panel.dataset.visitor = v.id;
    requestAnimationFrame(() => panel.classList.add("is-open"));
    closeButton.focus();
    load();
  }

  function close() {
    if (!current) return;
    const back = current.returnFocus;
    current = null;
    clearTimeout(refreshTimer);
    refreshTimer = 0;
    panel.classList.remove("is-open");
    panel.hidden = true;
    if (back && back.isConnected) back.focus();
  }

  // A page change or a new conversation of the open visitor: refresh, at most every 1.5 s.
  store.on("visitor", (v) => {
    if (!current || v.id !== current.id || refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = 0;
      load();
    }, REFRESH_MS);
  });
  // The profile opens over the Visitors, Contacts and Search views and beside a chat.
  store.on("view", () => close());

  return { open, close, get openId() {
    return current ? current.id : null;
  } };
}
