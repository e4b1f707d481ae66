// The visitor beside the open conversation: who, where and their local time, the page
// they are on and the way they came, past conversations and the conversation's tags.
// Collapsible; the choice is remembered. On a phone it is a sheet over the chat that a
// button in the chat header opens, so it never squeezes the conversation.
import { avatar } from "./avatar.js";
import { h, icon, setText } from "./dom.js";
import { countryChip } from "./flags.js";
import * as finding from "./finding-api.js";
import { externalLink, safeHref, shortUrl } from "./text.js";
import { clock, duration, relative } from "./time.js";
import { localClock, pageName, place } from "./visitor-profile-parts.js";
import { noteList } from "./visitor-profile.js";

const KEY = "porchlight:sidebar";
const REFRESH_MS = 1500;
const PHONE = "(max-width: 860px)";
const VIEWS = new Set(["inbox", "search"]);

function rememberedOpen() {
  try {
    return localStorage.getItem(KEY) !== "collapsed";
  } catch {
    return true;
  }
}

function section(title, ...children) {
  return h("section", { class: "side-section" }, h("h3", { class: "side-title" }, title), ...children);
}

export function createSidebar({ app, root, store, nav, profile }) {
  const phone = window.matchMedia(PHONE);
  let wideOpen = rememberedOpen();
  let sheetOpen = false;
  let current = null; // {conversationId, siteId, visitorId, conversation}
  let loading = 0;
  let refreshTimer = 0;

  const body = h("div", { class: "side-body" });
  const closeButton = h("button", { class: "icon-btn side-close", type: "button", "aria-label": "Hide visitor details", title: "Hide", onclick: () => toggle(false) }, icon("x", 16));
  root.append(h("header", { class: "side-head" }, h("h2", { class: "side-heading" }, "Visitor"), closeButton), body);

  const toggleButton = h(
    "button",
    { class: "icon-btn side-toggle", type: "button", "aria-controls": root.id || "side-col", onclick: () => toggle() },
    icon("sidebar", 18),
  );

  function isOpen() {
    return phone.matches ? sheetOpen : wideOpen;
  }

  function reflect() {
    const shown = Boolean(current) && VIEWS.has(store.state.view);
    const open = shown && isOpen();
    app.dataset.side = open ? "open" : "closed";
    root.hidden = !open;
    toggleButton.setAttribute("aria-expanded", String(open));
    const label = open ? "Hide visitor details" : "Show visitor details";
    toggleButton.setAttribute("aria-label", label);
    toggleButton.title = label;
    toggleButton.hidden = !shown;
  }

  function toggle(force) {
    const next = force == null ? !isOpen() : force;
    if (phone.matches) sheetOpen = next;
    else {
      wideOpen = next;
      try {
        localStorage.setItem(KEY, next ? "open" : "collapsed");
      } catch {
        /* storage may be unavailable */
      }
    }
    reflect();
    if (next && current && !body.childElementCount) load();
  }

  function follow(conversationId, conversation) {
    const conv = conversation || store.state.conversations.get(conversationId);
    if (!conversationId) {
      current = null;
      body.replaceChildren();
      sheetOpen = false;
      reflect();
      return;
    }
    const visitorId = conv && (conv.visitor_id || (conv.visitor && conv.visitor.id));
    if (!conv || !visitorId) {
      current = { conversationId, siteId: null, visitorId: null, conversation: null };
      body.replaceChildren(h("p", { class: "side-muted" }, "Loading…"));
      reflect();
      return;
    }
    const same = current && current.conversationId === conversationId && current.visitorId === visitorId;
    current = { conversationId, siteId: conv.site_id, visitorId, conversation: conv };
    reflect();
    if (!same) {
      body.replaceChildren(h("p", { class: "side-muted" }, "Loading…"));
      load();
    }
  }

  async function load() {
    if (!current || !current.visitorId) return;
    const mine = ++loading;
    const { siteId, visitorId } = current;
    const data = await finding.profile(siteId, visitorId);
    if (mine !== loading || !current || current.visitorId !== visitorId) return;
    if (!data || !data.ok) {
      body.replaceChildren(h("p", { class: "side-muted" }, (data && data.error) || "Couldn’t load this visitor."));
      return;
    }
    render(data);
  }

  function render({ visitor: v, visits, conversations, notes = [] }) {
    const conv = store.state.conversations.get(current.conversationId) || current.conversation || {};
    const geo = v.geo || {};
    const where = place(geo);
    const status = v.online ? (v.presence === "idle" ? "Online, tab in the background" : "Online now") : `Last seen ${relative(v.last_seen)}`;
    const who = section(
      "Who",
      h(
        "div",
        { class: "side-who" },
        avatar({ id: v.id, name: v.name, online: v.online, size: "lg" }),
        h(
          "div",
          { class: "side-who-text" },
          h("strong", { class: "side-name" }, v.name || "Visitor"),
          v.email ? h("span", { class: "side-email" }, v.email) : null,
          h("span", { class: v.online ? "side-status is-online" : "side-status" }, status),
          h("span", { class: "side-muted" }, `${v.visits} ${v.visits === 1 ? "visit" : "visits"}`),
        ),
      ),
      h("button", { class: "btn btn-secondary side-profile", type: "button", onclick: (e) => profile.open({ id: v.id, site_id: v.site_id, name: v.name, online: v.online }, e.currentTarget) }, "Full profile"),
    );
    const zone = geo.time_zone || (v.device || {}).time_zone;
    const whereSection = section(
      "Where",
      h("div", { class: "side-line" }, countryChip(geo), h("span", { title: where.title }, where.text)),
      zone ? h("div", { class: "side-line side-muted" }, icon("clock", 14), localClock(h("span", { class: "side-clock" }), zone), ` local time · ${zone}`) : null,
    );
    const visit = (visits || [])[0];
    const page = v.online && v.current_page;
    const href = page && safeHref(page.url);
    const journey = section(
      v.online ? "Now" : "Last visit",
      href ? h("div", { class: "side-line side-page" }, icon("link", 14), externalLink(href, page.title || shortUrl(href))) : null,
      visit
        ? h(
            "ol",
            { class: "side-journey" },
            (visit.pages || []).slice(-8).map((p) =>
              h(
                "li",
                null,
                h("span", { class: "side-journey-at" }, clock(p.entered_at)),
                h("span", { class: "side-journey-name", title: p.url }, pageName(p)),
                h("span", { class: "side-muted" }, p.seconds != null ? duration(p.seconds * 1000) : ""),
              ),
            ),
          )
        : h("p", { class: "side-muted" }, "No pages recorded."),
    );
    const past = (conversations || []).filter((c) => c.id !== current.conversationId);
    const history = section(
      `Past conversations (${past.length})`,
      past.length
        ? h(
            "ul",
            { class: "side-convs" },
            past.slice(0, 6).map((c) =>
              h(
                "li",
                null,
                h(
                  "button",
                  { class: "side-conv", type: "button", onclick: () => nav.go(store.state.view, c.id) },
                  h("span", { class: "side-conv-preview" }, c.preview || "No messages"),
                  h("span", { class: "side-muted" }, `${c.status} · ${relative(c.last_activity_at)}`),
                ),
              ),
            ),
          )
        : h("p", { class: "side-muted" }, "This is their first conversation."),
    );
    const tags = Array.isArray(conv.tags) ? conv.tags : [];
    // The site's tags carry the colours; conversations carry tag names.
    const known = typeof store.tagsOf === "function" ? store.tagsOf(conv.site_id ?? v.site_id) : [];
    const colorOf = (name) => (known.find((t) => t.name === name) || {}).color;
    const tagSection = section(
      "Tags",
      tags.length
        ? h(
            "ul",
            { class: "side-tags" },
            tags.map((t) => {
              const name = typeof t === "string" ? t : t.name;
              const chip = h("li", { class: "side-tag" }, name);
              const color = (t && t.color) || colorOf(name);
              if (color) chip.style.setProperty("--tag", color);
              return chip;
            }),
          )
        : h("p", { class: "side-muted" }, "No tags."),
    );
    const noteSection = notes.length ? section(`Notes (${notes.length})`, noteList(notes.slice(0, 5))) : null;
    body.replaceChildren(...[who, whereSection, journey, history, tagSection, noteSection].filter(Boolean));
  }

  // The open conversation: from the store, or from its history when it is not in the
  // inbox's loaded pages (opened from search or a profile).
  store.on("open", (id) => follow(id));
  store.on("history", (id, _messages, conversation) => {
    if (current && current.conversationId === id && (!current.visitorId || conversation)) follow(id, conversation);
  });
  // Tags changed on the open conversation: paint them again.
  store.on("conversation", (c) => {
    if (!current || c.id !== current.conversationId || !Array.isArray(c.tags)) return;
    const before = JSON.stringify((current.conversation || {}).tags || []);
    current.conversation = c;
    if (JSON.stringify(c.tags) !== before) load();
  });
  store.on("view", () => reflect());
  store.on("visitor", (v) => {
    if (!current || v.id !== current.visitorId || refreshTimer || !isOpen()) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = 0;
      load();
    }, REFRESH_MS);
  });
  // A tap on the dimmed chat behind the phone sheet closes it.
  app.addEventListener("click", (e) => {
    if (e.target === app && phone.matches && sheetOpen) toggle(false);
  });
  phone.addEventListener("change", () => {
    sheetOpen = false;
    reflect();
  });

  reflect();
  return { toggleButton, toggle, isOpen };
}
