// Search view: every conversation of the agent's sites by message text, and the people
// whose name or e-mail address matches. Results come from GET /api/v1/search; a result
// opens its conversation beside the list (#/search/<conversation id>).
import { avatar } from "./avatar.js";
import { h, icon, setText } from "./dom.js";
import * as finding from "./finding-api.js";
import { marked, plain } from "./marks.js";
import { relative } from "./time.js";
import { emptyState, skeleton } from "./ui.js";

const SAVED = "porchlight:search";
const DEBOUNCE_MS = 250;
const PAGE = 20;

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(SAVED) || "{}") || {};
  } catch {
    return {};
  }
}

export function createSearch({ root, store, nav, profile }) {
  const last = saved();
  let state = { q: last.q || "", order: last.order === "best" ? "best" : "newest", offset: 0, hasMore: false };
  let request = 0;
  let timer = 0;
  let focusHit = null; // {conversationId, messageId} of the result opened last

  const input = h("input", {
    class: "input search-input",
    type: "search",
    name: "q",
    placeholder: "Messages, names, e-mail addresses…",
    "aria-label": "Search conversations",
    autocomplete: "off",
    value: state.q,
  });
  const order = h(
    "select",
    { class: "select search-order", "aria-label": "Order" },
    h("option", { value: "newest" }, "Newest first"),
    h("option", { value: "best" }, "Best match"),
  );
  order.value = state.order;
  const summary = h("p", { class: "search-summary", role: "status", "aria-live": "polite" });
  const people = h("section", { class: "search-people", "aria-label": "People", hidden: true });
  const tagged = h("section", { class: "search-people search-tagged", "aria-label": "Tagged conversations", hidden: true });
  const list = h("ul", { class: "search-results", "aria-label": "Messages" });
  const more = h("button", { class: "btn btn-quiet load-more", type: "button", hidden: true, onclick: () => run(true) }, "More results");
  const body = h("div", { class: "search-body" }, people, tagged, list, more);
  const scroller = h("div", { class: "col-scroll" }, summary, body);

  root.append(
    h(
      "header",
      { class: "col-head search-head" },
      h("h1", { class: "col-title" }, "Search"),
      h("form", { class: "search-form", role: "search", onsubmit: (e) => (e.preventDefault(), run(false)) }, h("span", { class: "search-glass" }, icon("search", 16)), input, order),
    ),
    scroller,
  );

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(false), DEBOUNCE_MS);
  });
  order.addEventListener("change", () => run(false));

  function remember() {
    try {
      sessionStorage.setItem(SAVED, JSON.stringify({ q: state.q, order: state.order }));
    } catch {
      /* storage may be unavailable */
    }
  }

  function idle() {
    people.hidden = true;
    tagged.hidden = true;
    list.replaceChildren();
    more.hidden = true;
    setText(summary, "");
    body.replaceChildren(
      emptyState({
        icon: "search",
        title: "Search every conversation",
        text: "Words match whatever their case or accents; put a phrase in \"quotes\". Names and e-mail addresses find people.",
      }),
    );
  }

  async function run(next) {
    clearTimeout(timer);
    const q = input.value.trim();
    state = { ...state, q, order: order.value, offset: next ? state.offset + PAGE : 0 };
    remember();
    if (!q) {
      request++;
      idle();
      return;
    }
    const mine = ++request;
    if (!next) {
      body.replaceChildren(people, tagged, list, more);
      list.replaceChildren();
      people.hidden = true;
      tagged.hidden = true;
      more.hidden = true;
      setText(summary, "");
      list.append(h("li", { class: "search-loading" }, skeleton(3)));
    } else {
      more.disabled = true;
      setText(more, "Loading…");
    }
    const data = await finding.search({ q, siteId: store.state.siteId, order: state.order, offset: state.offset, limit: PAGE });
    if (mine !== request) return;
    more.disabled = false;
    setText(more, "More results");
    for (const el of list.querySelectorAll(".search-loading")) el.remove();
    if (!data || !data.ok) {
      setText(summary, (data && data.error) || "Couldn’t search right now.");
      summary.classList.add("is-error");
      return;
    }
    summary.classList.remove("is-error");
    state.hasMore = Boolean(data.has_more);
    if (!next) {
      paintPeople(data.people || []);
      paintTagged(data.tags || []);
    }
    for (const hit of data.messages || []) list.append(resultRow(hit));
    more.hidden = !state.hasMore;
    const shown = list.children.length;
    if (!shown && !(data.people || []).length && !(data.tags || []).length) {
      setText(summary, "");
      body.replaceChildren(emptyState({ icon: "search", title: `Nothing matches “${q}”`, text: "Try fewer words, or another spelling." }));
      return;
    }
    setText(summary, shown ? `${shown}${state.hasMore ? "+" : ""} ${shown === 1 ? "message" : "messages"}` : "No messages match.");
    markActive(store.state.openId);
  }

  function paintPeople(found) {
    people.hidden = !found.length;
    people.replaceChildren(
      h("h2", { class: "search-section-title" }, "People"),
      h(
        "ul",
        { class: "search-people-list" },
        found.map((p) =>
          h(
            "li",
            null,
            h(
              "button",
              { class: "search-person", type: "button", onclick: (e) => profile.open({ id: p.id, site_id: p.site_id, name: p.name, online: false }, e.currentTarget) },
              avatar({ id: p.id, name: p.name }),
              h(
                "span",
                { class: "search-person-text" },
                h("span", { class: "search-person-name" }, marked(p.name_marked || p.name)),
                p.email ? h("span", { class: "search-person-email" }, marked(p.email_marked || p.email)) : null,
              ),
              h("span", { class: "search-person-count" }, `${p.conversations} ${p.conversations === 1 ? "chat" : "chats"}`),
            ),
          ),
        ),
      ),
    );
  }

  function paintTagged(found) {
    tagged.hidden = !found.length;
    tagged.replaceChildren(
      ...found.map(({ tag, conversations }) => {
        const chip = h("span", { class: "side-tag search-tag" }, tag.name);
        if (tag.color) chip.style.setProperty("--tag", tag.color);
        return h(
          "div",
          null,
          h("h2", { class: "search-section-title" }, "Tagged ", chip),
          h(
            "ul",
            { class: "search-people-list" },
            conversations.map((c) => {
              const v = c.visitor || { id: c.visitor_id, name: "Visitor" };
              return h(
                "li",
                null,
                h(
                  "button",
                  { class: "search-person search-tagged-conv", type: "button", dataset: { conversation: c.id }, onclick: () => ((focusHit = null), nav.go("search", c.id)) },
                  avatar({ id: v.id, name: v.name }),
                  h("span", { class: "search-person-text" }, h("span", { class: "search-person-name" }, v.name), h("span", { class: "search-person-email" }, c.preview || "No messages yet")),
                  h("span", { class: "search-person-count" }, relative(c.last_activity_at)),
                ),
              );
            }),
          ),
        );
      }),
    );
  }

  function resultRow(hit) {
    const m = hit.message;
    const c = hit.conversation;
    const v = hit.visitor || { id: c.visitor_id, name: "Visitor" };
    const who = m.author.kind === "visitor" ? v.name : m.author.name || "Agent";
    const site = store.multiSite() ? store.siteName(c.site_id) : "";
    const button = h(
      "button",
      {
        class: "search-hit",
        type: "button",
        dataset: { conversation: c.id, message: m.id },
        onclick: () => {
          focusHit = { conversationId: c.id, messageId: m.id };
          nav.go("search", c.id);
        },
      },
      avatar({ id: v.id, name: v.name }),
      h(
        "span",
        { class: "search-hit-main" },
        h(
          "span",
          { class: "search-hit-top" },
          h("span", { class: "search-hit-name" }, v.name),
          site ? h("span", { class: "search-hit-site" }, site) : null,
          h("time", { class: "search-hit-time", datetime: m.created_at, title: new Date(m.created_at).toLocaleString() }, relative(m.created_at)),
        ),
        h(
          "span",
          { class: "search-hit-snippet", title: plain(hit.snippet) },
          m.kind === "note" ? h("span", { class: "search-hit-kind" }, "Note") : null,
          h("span", { class: "search-hit-author" }, `${who}: `),
          marked(hit.snippet),
        ),
        c.status && c.status !== "open" ? h("span", { class: "search-hit-status" }, c.status) : null,
      ),
    );
    return h("li", null, button);
  }

  function markActive(openId) {
    for (const el of list.querySelectorAll(".search-hit")) {
      const on = el.dataset.conversation === openId && (!focusHit || focusHit.messageId === el.dataset.message);
      el.classList.toggle("is-active", on);
      if (on) el.setAttribute("aria-current", "true");
      else el.removeAttribute("aria-current");
    }
  }

  // The opened conversation scrolls to the message that was found, and flashes it.
  store.on("history", (id) => {
    if (store.state.view !== "search" || !focusHit || focusHit.conversationId !== id) return;
    const messageId = focusHit.messageId;
    requestAnimationFrame(() => {
      const row = document.querySelector(`.chat [data-id="${CSS.escape(messageId)}"]`);
      if (!row) return;
      row.scrollIntoView({ block: "center" });
      row.classList.add("is-found");
      setTimeout(() => row.classList.remove("is-found"), 2400);
    });
  });
  store.on("open", (id) => markActive(id));
  store.on("view", (view) => {
    if (view !== "search") return;
    if (state.q && !list.children.length) run(false);
    else if (!state.q) idle();
    setTimeout(() => input.focus(), 0);
  });
  store.on("site", () => {
    if (store.state.view === "search" && state.q) run(false);
  });

  if (!state.q) idle();
  return { focus: () => input.focus() };
}
