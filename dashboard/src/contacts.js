// Contacts: every visitor the agent's sites have known, online or not, the most recently
// seen first, searchable by name or e-mail address (GET /api/v1/contacts). A row opens
// the visitor's full profile, which the server reads from the store, so it opens for
// visitors who left long ago too.
import { avatar } from "./avatar.js";
import { h, icon, setText } from "./dom.js";
import { countryChip } from "./flags.js";
import * as finding from "./finding-api.js";
import { marked } from "./marks.js";
import { fullDate, relative } from "./time.js";
import { emptyState, skeleton } from "./ui.js";
import { place } from "./visitor-profile-parts.js";

const PAGE = 30;
const DEBOUNCE_MS = 250;

export function createContacts({ root, store, profile }) {
  let offset = 0;
  let request = 0;
  let timer = 0;
  let loadedKey = null;

  const input = h("input", {
    class: "input search-input",
    type: "search",
    placeholder: "Find by name or e-mail…",
    "aria-label": "Find contacts",
    autocomplete: "off",
  });
  const count = h("span", { class: "col-count" });
  const table = h("div", { class: "contacts", role: "table", "aria-label": "Contacts" });
  const status = h("div", { class: "col-status" });
  const more = h("button", { class: "btn btn-quiet load-more", type: "button", hidden: true, onclick: () => load(true) }, "Show more");
  root.append(
    h(
      "header",
      { class: "col-head search-head" },
      h("h1", { class: "col-title" }, "Contacts"),
      count,
      h("form", { class: "search-form contacts-form", role: "search", onsubmit: (e) => (e.preventDefault(), load(false)) }, h("span", { class: "search-glass" }, icon("search", 16)), input),
    ),
    h("div", { class: "col-scroll" }, table, status, more),
  );

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(false), DEBOUNCE_MS);
  });

  function headRow() {
    return h(
      "div",
      { class: "contacts-row contacts-row--head", role: "row" },
      ["Name", "Location", "Last seen", "Visits", "Chats"].map((label) => h("span", { role: "columnheader" }, label)),
    );
  }

  function row(c) {
    const where = place({ city: c.city, country: c.country });
    return h(
      "button",
      {
        class: "contacts-row",
        type: "button",
        role: "row",
        dataset: { visitor: c.id },
        onclick: (e) => profile.open({ id: c.id, site_id: c.site_id, name: c.name, online: c.online }, e.currentTarget),
      },
      h(
        "span",
        { class: "contacts-who", role: "cell" },
        avatar({ id: c.id, name: c.name, online: c.online }),
        h(
          "span",
          { class: "contacts-names" },
          h("span", { class: c.identified ? "contacts-name" : "contacts-name is-anonymous" }, marked(c.name_marked || c.name)),
          h("span", { class: "contacts-email" }, c.email ? marked(c.email_marked || c.email) : store.multiSite() ? store.siteName(c.site_id) : ""),
        ),
      ),
      h("span", { class: "contacts-where", role: "cell" }, c.country ? countryChip({ country: c.country }) : null, h("span", null, where.short === "Unknown" ? "—" : where.text)),
      h("span", { class: "contacts-seen", role: "cell", title: fullDate(c.last_seen) }, c.online ? h("strong", { class: "contacts-online" }, "Online now") : relative(c.last_seen)),
      h("span", { class: "contacts-num", role: "cell" }, String(c.visits)),
      h("span", { class: "contacts-num", role: "cell" }, String(c.conversations)),
    );
  }

  async function load(next) {
    const q = input.value.trim();
    offset = next ? offset + PAGE : 0;
    const mine = ++request;
    loadedKey = `${store.state.siteId}|${q}`;
    if (!next) {
      table.replaceChildren(skeleton(6));
      setText(status, "");
      more.hidden = true;
    } else {
      more.disabled = true;
      setText(more, "Loading…");
    }
    const data = await finding.contacts({ q, siteId: store.state.siteId, offset, limit: PAGE });
    if (mine !== request) return;
    more.disabled = false;
    setText(more, "Show more");
    if (!data || !data.ok) {
      if (!next) table.replaceChildren();
      setText(status, (data && data.error) || "Couldn’t load contacts.");
      return;
    }
    const rows = (data.contacts || []).map(row);
    if (!next) {
      table.replaceChildren(...(rows.length ? [headRow(), ...rows] : []));
      if (!rows.length) {
        table.append(
          emptyState(
            q
              ? { icon: "users", title: `No one matches “${q}”`, text: "Contacts are found by the name or e-mail address they gave." }
              : { icon: "users", title: "No contacts yet", text: "Everyone who visits a site with the widget appears here." },
          ),
        );
      }
    } else table.append(...rows);
    more.hidden = !data.has_more;
    const shown = table.querySelectorAll(".contacts-row:not(.contacts-row--head)").length;
    setText(count, shown ? `${shown}${data.has_more ? "+" : ""}` : "");
  }

  store.on("view", (view) => {
    if (view !== "contacts") return;
    if (loadedKey !== `${store.state.siteId}|${input.value.trim()}`) load(false);
  });
  store.on("site", () => {
    if (store.state.view === "contacts") load(false);
    else loadedKey = null;
  });
}
