// Journeys page: top pages, entry and exit pages and the average visible time per
// page over a chosen period, from GET /api/v1/sites/{id}/analytics/journeys.
import { h, setText } from "./dom.js";
import { duration } from "./time.js";
import { emptyState, skeleton } from "./ui.js";
import { pathOf } from "./visitor-profile-parts.js";

const PERIODS = [
  ["1", "Today"],
  ["7", "Last 7 days"],
  ["30", "Last 30 days"],
  ["90", "Last 90 days"],
  ["custom", "Custom…"],
];

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function daysAgo(n) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - n);
  return isoDay(d);
}

function seconds(value) {
  return value == null ? "—" : duration(value * 1000);
}

export function createAnalytics({ root, store }) {
  let loadedKey = "";
  let request = 0;

  const siteSelect = h("select", { class: "select vx-select", "aria-label": "Site" });
  const periodSelect = h(
    "select",
    { class: "select vx-select", "aria-label": "Period" },
    PERIODS.map(([value, label]) => h("option", { value }, label)),
  );
  periodSelect.value = "7";
  const fromInput = h("input", { class: "input vx-date", type: "date", "aria-label": "From", value: daysAgo(6) });
  const toInput = h("input", { class: "input vx-date", type: "date", "aria-label": "To", value: daysAgo(0) });
  const custom = h("span", { class: "vx-custom", hidden: true }, fromInput, h("span", { class: "vx-muted" }, "to"), toInput);
  const body = h("div", { class: "vx-analytics-body" });

  root.append(
    h(
      "header",
      { class: "col-head vx-head" },
      h("h1", { class: "col-title" }, "Journeys"),
      h("div", { class: "vx-tools" }, siteSelect, periodSelect, custom),
    ),
    h("div", { class: "col-scroll" }, body),
  );

  function sites() {
    const all = store.state.sites || [];
    siteSelect.replaceChildren(...all.map((s) => h("option", { value: String(s.id) }, s.name)));
    siteSelect.hidden = all.length < 2;
    const wanted = store.state.siteId != null ? String(store.state.siteId) : siteSelect.value;
    if (wanted) siteSelect.value = wanted;
  }

  function period() {
    const choice = periodSelect.value;
    custom.hidden = choice !== "custom";
    if (choice === "custom") return { from: fromInput.value, to: toInput.value };
    return { from: daysAgo(Number(choice) - 1), to: daysAgo(0) };
  }

  async function load(force = false) {
    if (store.state.view !== "analytics") return;
    const siteId = siteSelect.value;
    const { from, to } = period();
    if (!siteId || !from || !to) return;
    const key = `${siteId}|${from}|${to}`;
    if (key === loadedKey && !force) return;
    loadedKey = key;
    const mine = ++request;
    body.replaceChildren(skeleton(4));
    let data;
    try {
      const query = new URLSearchParams({ from, to });
      const res = await fetch(`/api/v1/sites/${siteId}/analytics/journeys?${query}`, { credentials: "same-origin" });
      data = await res.json();
    } catch {
      data = { ok: false, error: "Couldn’t reach the server." };
    }
    if (mine !== request) return;
    if (!data || !data.ok) {
      loadedKey = "";
      body.replaceChildren(emptyState({ icon: "alert", title: "Couldn’t load journeys", text: (data && data.error) || "" }));
      return;
    }
    render(data);
  }

  function card(label, value) {
    return h("div", { class: "vx-card" }, h("div", { class: "vx-card-value" }, value), h("div", { class: "vx-card-label" }, label));
  }

  function table(title, rows, columns, max) {
    return h(
      "section",
      { class: "vx-table-wrap" },
      h("h2", { class: "vx-table-title" }, title),
      rows.length
        ? h(
            "table",
            { class: "vx-table" },
            h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.num ? "num" : "" }, c.label)))),
            h(
              "tbody",
              null,
              rows.map((row) =>
                h(
                  "tr",
                  null,
                  columns.map((c, i) =>
                    h(
                      "td",
                      { class: c.num ? "num" : "" },
                      i === 0
                        ? h(
                            "span",
                            { class: "vx-bar-cell" },
                            h("span", { class: "vx-bar", style: `--share:${Math.max(2, Math.round((100 * row[c.bar]) / max))}%` }),
                            h("span", { class: "vx-url", title: row.url }, pathOf(row.url)),
                          )
                        : c.value(row),
                    ),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "vx-muted vx-empty-table" }, "Nothing in this period."),
    );
  }

  function render(data) {
    const t = data.totals || {};
    if (!t.views) {
      body.replaceChildren(
        emptyState({ icon: "users", title: "No page views in this period", text: "Journeys appear here as visitors browse pages that carry the widget." }),
      );
      return;
    }
    const top = data.top_pages || [];
    const entries = data.entry_pages || [];
    const exits = data.exit_pages || [];
    const maxViews = Math.max(1, ...top.map((p) => p.views));
    const maxEntries = Math.max(1, ...entries.map((p) => p.visits));
    const maxExits = Math.max(1, ...exits.map((p) => p.visits));
    body.replaceChildren(
      h(
        "div",
        { class: "vx-cards" },
        card("Page views", t.views.toLocaleString()),
        card("Visits", t.visits.toLocaleString()),
        card("Visitors", t.visitors.toLocaleString()),
        card("Average time on a page", seconds(t.avg_seconds)),
      ),
      table(
        "Top pages",
        top,
        [
          { label: "Page", bar: "views" },
          { label: "Views", num: true, value: (r) => r.views.toLocaleString() },
          { label: "Avg. time", num: true, value: (r) => seconds(r.avg_seconds) },
        ],
        maxViews,
      ),
      h(
        "div",
        { class: "vx-two" },
        table("Entry pages", entries, [{ label: "Page", bar: "visits" }, { label: "Visits", num: true, value: (r) => r.visits.toLocaleString() }], maxEntries),
        table("Exit pages", exits, [{ label: "Page", bar: "visits" }, { label: "Visits", num: true, value: (r) => r.visits.toLocaleString() }], maxExits),
      ),
    );
  }

  for (const control of [siteSelect, periodSelect, fromInput, toInput]) control.addEventListener("change", () => load());
  store.on("view", (view) => view === "analytics" && (sites(), load(true)));
  store.on("site", () => {
    sites();
    load();
  });
  store.on("session", () => sites());
  sites();
  setText(body, "");
  return { load };
}
