// Reports page: conversations, response times, busiest hours, team, satisfaction and
// sentiment for one site or all, from GET /api/v1/reports. Each chart has its numbers
// as a table beside it (a <details> under the chart) and a CSV download of that table,
// which is GET /api/v1/reports/{figure}?format=csv with the same query.
import { h } from "./dom.js";
import { duration } from "./time.js";
import { emptyState, skeleton } from "./ui.js";
import { lineChart } from "./report-chart.js";
import { heatMap } from "./report-heat.js";
import { countryMap } from "./report-map.js";

const PERIODS = [
  ["7", "Last 7 days"],
  ["30", "Last 30 days"],
  ["90", "Last 90 days"],
  ["1", "Today"],
  ["custom", "Custom…"],
];
const COLORS = { blue: "#2563eb", green: "#16a34a", red: "#dc2626", amber: "#d97706", grey: "#64748b" };

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

function share(value) {
  return value == null ? "—" : `${Math.round(value * 100)} %`;
}

function minutes(value) {
  return value == null ? null : Math.round((value / 60) * 10) / 10;
}

// Writes carry the page's CSRF token, as every cookie-authenticated write does.
function csrfHeader() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? { "X-CSRF-Token": meta.content } : {};
}

function zone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function createReports({ root, store }) {
  let request = 0;
  let loadedKey = "";
  const charts = [];

  const siteSelect = h("select", { class: "select vx-select", "aria-label": "Site" });
  const periodSelect = h("select", { class: "select vx-select", "aria-label": "Period" }, PERIODS.map(([v, l]) => h("option", { value: v }, l)));
  const intervalSelect = h(
    "select",
    { class: "select vx-select", "aria-label": "Interval" },
    [["day", "By day"], ["week", "By week"], ["hour", "By hour"]].map(([v, l]) => h("option", { value: v }, l)),
  );
  const fromInput = h("input", { class: "input vx-date", type: "date", "aria-label": "From", value: daysAgo(6) });
  const toInput = h("input", { class: "input vx-date", type: "date", "aria-label": "To", value: daysAgo(0) });
  const custom = h("span", { class: "vx-custom", hidden: true }, fromInput, h("span", { class: "vx-muted" }, "to"), toInput);
  // Shown when a site asked for has business hours: times then count only while open.
  const hoursToggle = h("button", { class: "vx-chip rp-hours", type: "button", "aria-pressed": "false", hidden: true, title: "First response and resolution times counted within business hours only" }, "Business hours only");
  const body = h("div", { class: "rp-body" });
  const tz = zone();

  root.append(
    h(
      "header",
      { class: "col-head vx-head" },
      h("h1", { class: "col-title" }, "Reports"),
      h("div", { class: "vx-tools" }, siteSelect, periodSelect, custom, intervalSelect, hoursToggle),
    ),
    h("div", { class: "col-scroll" }, body),
  );

  function sites() {
    const all = store.state.sites || [];
    const previous = siteSelect.value;
    siteSelect.replaceChildren(
      ...(all.length > 1 ? [h("option", { value: "all" }, "All sites")] : []),
      ...all.map((s) => h("option", { value: String(s.id) }, s.name)),
    );
    siteSelect.hidden = all.length < 2;
    if (previous && [...siteSelect.options].some((o) => o.value === previous)) siteSelect.value = previous;
    else if (store.state.siteId != null) siteSelect.value = String(store.state.siteId);
  }

  function query() {
    const choice = periodSelect.value;
    custom.hidden = choice !== "custom";
    const range = choice === "custom" ? { from: fromInput.value, to: toInput.value } : { from: daysAgo(Number(choice) - 1), to: daysAgo(0) };
    const q = new URLSearchParams({ ...range, default_tz: tz, interval: intervalSelect.value });
    if (siteSelect.value && siteSelect.value !== "all") q.set("site_id", siteSelect.value);
    if (!hoursToggle.hidden && hoursToggle.getAttribute("aria-pressed") === "true") q.set("business_hours", "true");
    return q;
  }

  async function load(force = false) {
    if (store.state.view !== "reports") return;
    const q = query();
    const key = q.toString();
    if (key === loadedKey && !force) return;
    loadedKey = key;
    const mine = ++request;
    body.replaceChildren(skeleton(5));
    let data;
    try {
      const res = await fetch(`/api/v1/reports?${q}`, { credentials: "same-origin" });
      data = await res.json();
    } catch {
      data = { ok: false, error: "Couldn’t reach the server." };
    }
    if (mine !== request) return;
    if (!data || !data.ok) {
      loadedKey = "";
      body.replaceChildren(emptyState({ icon: "alert", title: "Couldn’t load reports", text: (data && data.error) || "" }));
      return;
    }
    const withHours = (data.business_hours && data.business_hours.site_ids) || [];
    if (hoursToggle.hidden !== !withHours.length) {
      hoursToggle.hidden = !withHours.length;
      if (hoursToggle.hidden && q.has("business_hours")) return load(true); // the switch went away
    }
    render(data, q);
  }

  function csvLink(id, q) {
    return h("a", { class: "rp-csv", href: `/api/v1/reports/${id}?${q}&format=csv`, download: "", "data-figure": id }, "CSV");
  }

  function dataTable(figure, format = {}) {
    return h(
      "table",
      { class: "vx-table rp-table" },
      h("thead", null, h("tr", null, figure.columns.map((c) => h("th", { scope: "col" }, c.replace(/_s$/, "").replace(/_/g, " "))))),
      h(
        "tbody",
        null,
        figure.rows.map((row) => h("tr", null, row.map((v, i) => h("td", null, format[figure.columns[i]] ? format[figure.columns[i]](v) : v == null ? "—" : String(v))))),
      ),
    );
  }

  function section(figure, q, { chart, note, open = false, format } = {}) {
    return h(
      "section",
      { class: "rp-section", "data-figure": figure.id, "aria-labelledby": `rp-${figure.id}` },
      h("div", { class: "rp-section-head" }, h("h2", { class: "vx-table-title", id: `rp-${figure.id}` }, figure.title), csvLink(figure.id, q)),
      note ? h("p", { class: "vx-muted rp-note" }, note) : null,
      chart || null,
      chart ? h("details", { class: "rp-details", open }, h("summary", null, "Numbers as a table"), h("div", { class: "rp-scroll" }, dataTable(figure, format))) : h("div", { class: "rp-scroll" }, dataTable(figure, format)),
    );
  }

  function column(figure, name) {
    const i = figure.columns.indexOf(name);
    return figure.rows.map((r) => r[i]);
  }

  function card(label, value) {
    return h("div", { class: "vx-card" }, h("div", { class: "vx-card-value" }, value), h("div", { class: "vx-card-label" }, label));
  }

  function render(data, q) {
    for (const c of charts.splice(0)) c.destroy();
    const f = data.figures;
    const labels = data.period.buckets;
    const summary = Object.fromEntries(f.summary.rows);
    const add = (chart) => (charts.push(chart), chart.el);
    const durations = { first_response_median_s: seconds, first_response_p90_s: seconds, resolution_median_s: seconds, resolution_p90_s: seconds };
    const conv = f.conversations;
    const times = f.response_times;
    body.replaceChildren(
      h("p", { class: "vx-muted rp-note" }, `${data.period.from} to ${data.period.to}, times in ${data.period.tz}. Missed: a visitor’s first message with no agent reply within the site’s missed time (5 minutes unless set below, per site).${data.business_hours && data.business_hours.applied ? " First response and resolution times count only the time the site was open (its business hours); missed is still counted on the clock." : ""}`),
      h(
        "div",
        { class: "vx-cards" },
        card("Conversations", String(summary.conversations)),
        card("Resolved", String(summary.resolved)),
        card("Missed", String(summary.missed)),
        card("Median first response", seconds(summary.first_response_median_s)),
        card("Median resolution", seconds(summary.resolution_median_s)),
        card("Satisfied", share(summary.satisfied_share)),
      ),
      section(conv, q, {
        chart: add(
          lineChart({
            labels,
            label: "Conversations over time",
            series: [
              { name: "New", values: column(conv, "new"), color: COLORS.blue },
              { name: "Resolved", values: column(conv, "resolved"), color: COLORS.green },
              { name: "Missed", values: column(conv, "missed"), color: COLORS.red },
              { name: "Visitor messages", values: column(conv, "visitor_messages"), color: COLORS.amber, dash: true },
              { name: "Agent messages", values: column(conv, "agent_messages"), color: COLORS.grey, dash: true },
            ],
          }),
        ),
      }),
      section(times, q, {
        format: durations,
        chart: add(
          lineChart({
            labels,
            label: "First response and resolution time in minutes",
            unit: "min",
            series: [
              { name: "First response, median", values: column(times, "first_response_median_s").map(minutes), color: COLORS.blue },
              { name: "First response, 90th pct.", values: column(times, "first_response_p90_s").map(minutes), color: COLORS.blue, dash: true },
              { name: "Resolution, median", values: column(times, "resolution_median_s").map(minutes), color: COLORS.green },
              { name: "Resolution, 90th pct.", values: column(times, "resolution_p90_s").map(minutes), color: COLORS.green, dash: true },
            ],
          }),
        ),
      }),
      section(f.response_distribution, q, { chart: distribution(f.response_distribution), open: false }),
      h(
        "div",
        { class: "rp-pair" },
        section(f.busiest_hours, q, { chart: heatMap(f.busiest_hours), note: `New conversations by weekday and hour (${data.period.tz}).` }),
        section(f.visitors_online, q, {
          chart: heatMap(f.visitors_online, { what: "visitors online", none: "No visits in this period.", hue: "22, 163, 74" }),
          note: `Visits on the site in each weekday and hour (${data.period.tz}): a visit counts in every hour from its first page to its last.`,
        }),
      ),
      teamSection(f.team, q),
      section(f.satisfaction, q, {
        format: { satisfied_share: share },
        chart: add(
          lineChart({
            labels,
            label: "Share of ratings of 4 or 5",
            unit: "%",
            series: [{ name: "Satisfied", values: column(f.satisfaction, "satisfied_share").map((v) => (v == null ? null : Math.round(v * 100))), color: COLORS.green }],
          }),
        ),
      }),
      section(f.comments, q, {}),
      section(f.sentiment, q, {
        format: { positive_share: share, negative_share: share },
        chart: add(
          lineChart({
            labels,
            label: "Sentiment of visitors’ messages, share positive and negative",
            unit: "%",
            series: [
              { name: "Positive", values: column(f.sentiment, "positive_share").map((v) => (v == null ? null : Math.round(v * 100))), color: COLORS.green },
              { name: "Negative", values: column(f.sentiment, "negative_share").map((v) => (v == null ? null : Math.round(v * 100))), color: COLORS.red },
            ],
          }),
        ),
      }),
      h("h2", { class: "rp-part" }, "Visitors"),
      section(f.visits, q, {
        chart: add(
          lineChart({
            labels,
            label: "Visits over time",
            series: [
              { name: "Visits", values: column(f.visits, "visits"), color: COLORS.blue },
              { name: "New", values: column(f.visits, "new"), color: COLORS.amber, dash: true },
              { name: "Returning", values: column(f.visits, "returning"), color: COLORS.grey, dash: true },
              { name: "With a chat", values: column(f.visits, "with_chat"), color: COLORS.green },
              { name: "Reached the goal", values: column(f.visits, "reached_goal"), color: COLORS.red },
            ],
          }),
        ),
      }),
      section(f.countries, q, { chart: countryMap(f.countries), format: { chat_share: share, lat: () => "", lon: () => "" } }),
      section(f.devices, q, { chart: bars(f.devices, "device"), format: { chat_share: share } }),
      section(f.sources, q, { format: { chat_share: share }, note: "Where visits came from (UTM source and campaign, else the referring site) and how many of them led to a chat." }),
      section(f.entry_pages, q, { format: { chat_share: share }, note: "The page a visit began on, and how many of those visits led to a chat." }),
      goalSection(f.goal, q),
    );
    for (const c of charts) c.mount();
  }

  function bars(figure, name) {
    const i = figure.columns.indexOf(name);
    const n = figure.columns.indexOf("visits");
    const max = Math.max(1, ...figure.rows.map((r) => r[n]));
    return h(
      "div",
      { class: "rp-dist", role: "img", "aria-label": figure.rows.map((r) => `${r[i]}: ${r[n]} visits`).join("; ") || "No visits." },
      figure.rows.map((r) => h("div", { class: "rp-dist-row", "aria-hidden": "true" }, h("span", { class: "rp-dist-label" }, r[i]), h("span", { class: "rp-dist-bars" }, h("span", { class: "rp-hbar rp-hbar--first", style: `--share:${(100 * r[n]) / max}%` })))),
    );
  }

  // The team's ratings as visitors give them: a good/okay/bad bar per agent, with the
  // share of good, as the satisfaction chart counts them.
  function ratingCell(good, okay, bad) {
    const total = good + okay + bad;
    if (!total) return h("td", { class: "rp-rating" }, h("span", { class: "vx-muted" }, "No ratings"));
    const text = `${share(good / total)} good (${good} good, ${okay} okay, ${bad} bad)`;
    const part = (n, cls) => (n ? h("span", { class: `rp-stack-part ${cls}`, style: `flex-grow:${n}` }) : null);
    return h(
      "td",
      { class: "rp-rating" },
      h("span", { class: "rp-stack", role: "img", "aria-label": text }, part(good, "rp-stack--good"), part(okay, "rp-stack--okay"), part(bad, "rp-stack--bad")),
      h("span", { class: "rp-rating-text" }, `${share(good / total)} good`, h("span", { class: "vx-muted" }, ` · ${good} / ${okay} / ${bad}`)),
    );
  }

  function teamSection(figure, q) {
    const at = (name) => figure.columns.indexOf(name);
    const table = h(
      "table",
      { class: "vx-table rp-table rp-team" },
      h("thead", null, h("tr", null, ["Agent", "Conversations", "First response (median)", "Resolution (median)", "Rating: good / okay / bad"].map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        null,
        figure.rows.map((r) =>
          h(
            "tr",
            null,
            h("td", null, r[at("agent")]),
            h("td", null, String(r[at("conversations")])),
            h("td", null, seconds(r[at("first_response_median_s")])),
            h("td", null, seconds(r[at("resolution_median_s")])),
            ratingCell(r[at("good")], r[at("okay")], r[at("bad")]),
          ),
        ),
      ),
    );
    return h(
      "section",
      { class: "rp-section", "data-figure": figure.id, "aria-labelledby": `rp-${figure.id}` },
      h("div", { class: "rp-section-head" }, h("h2", { class: "vx-table-title", id: `rp-${figure.id}` }, figure.title), csvLink(figure.id, q)),
      h("div", { class: "rp-legend", "aria-hidden": "true" }, h("span", { class: "rp-key rp-key--good" }, "Good"), h("span", { class: "rp-key rp-key--okay" }, "Okay"), h("span", { class: "rp-key rp-key--bad" }, "Bad")),
      figure.rows.length ? h("div", { class: "rp-scroll" }, table) : h("p", { class: "vx-muted rp-note" }, "No conversations handled in this period."),
    );
  }

  function goalSection(figure, q) {
    const values = Object.fromEntries(figure.rows);
    const siteId = siteSelect.value && siteSelect.value !== "all" ? siteSelect.value : store.state.sites && store.state.sites.length === 1 ? String(store.state.sites[0].id) : "";
    const parts = [
      values.goal_page
        ? h(
            "div",
            { class: "vx-cards" },
            card(`Visits with a chat that reach ${values.goal_page}`, `${share(values.goal_share_with_chat)} (${values.visits_with_chat_reaching_goal} of ${values.visits_with_chat})`),
            card("Visits without a chat that reach it", `${share(values.goal_share_without_chat)} (${values.visits_without_chat_reaching_goal} of ${values.visits_without_chat})`),
          )
        : h("p", { class: "vx-muted rp-note" }, "Name a goal page (for example /checkout/done) to see how many visits with a chat reach it."),
    ];
    if (siteId) parts.push(settingsForm(siteId));
    return h(
      "section",
      { class: "rp-section", "data-figure": figure.id, "aria-labelledby": "rp-goal" },
      h("div", { class: "rp-section-head" }, h("h2", { class: "vx-table-title", id: "rp-goal" }, figure.title), csvLink(figure.id, q)),
      ...parts,
    );
  }

  function settingsForm(siteId) {
    const goal = h("input", { class: "input", name: "goal_path", placeholder: "/checkout/done", "aria-label": "Goal page" });
    const zoneInput = h("input", { class: "input", name: "time_zone", placeholder: tz, "aria-label": "Time zone of the reports" });
    const missedInput = h("input", { class: "input", name: "missed_after_minutes", type: "number", min: "1", max: "1440", placeholder: "5", "aria-label": "Missed after minutes without a reply" });
    const status = h("span", { class: "vx-muted rp-note", role: "status" });
    const form = h(
      "form",
      { class: "rp-settings" },
      h("label", null, h("span", null, "Goal page"), goal),
      h("label", null, h("span", null, "Time zone"), zoneInput),
      h("label", null, h("span", null, "Missed after (minutes)"), missedInput),
      h("button", { class: "btn btn-primary", type: "submit" }, "Save"),
      status,
    );
    fetch(`/api/v1/sites/${siteId}/report-settings`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((d) => {
        if (d && d.ok) {
          goal.value = d.goal_path;
          zoneInput.value = d.time_zone;
          missedInput.value = String(d.missed_after_minutes);
        }
      })
      .catch(() => {});
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      status.textContent = "Saving…";
      let d;
      try {
        const res = await fetch(`/api/v1/sites/${siteId}/report-settings`, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", ...csrfHeader() },
          body: JSON.stringify({ goal_path: goal.value, time_zone: zoneInput.value, missed_after_minutes: missedInput.value || null }),
        });
        d = await res.json();
      } catch {
        d = { ok: false, error: "Couldn’t reach the server." };
      }
      status.textContent = d && d.ok ? "Saved." : (d && d.error) || "Not saved.";
      if (d && d.ok) load(true);
    });
    return form;
  }

  function distribution(figure) {
    const max = Math.max(1, ...figure.rows.flatMap((r) => [r[1], r[2]]));
    const bar = (n, cls) => h("span", { class: `rp-hbar ${cls}`, style: `--share:${(100 * n) / max}%` });
    return h(
      "div",
      { class: "rp-dist", role: "img", "aria-label": figure.rows.map((r) => `${r[0]}: ${r[1]} first responses, ${r[2]} resolutions`).join("; ") },
      h("div", { class: "rp-legend", "aria-hidden": "true" }, h("span", { class: "rp-key rp-key--first" }, "First response"), h("span", { class: "rp-key rp-key--resolution" }, "Resolution")),
      figure.rows.map((r) => h("div", { class: "rp-dist-row", "aria-hidden": "true" }, h("span", { class: "rp-dist-label" }, r[0]), h("span", { class: "rp-dist-bars" }, bar(r[1], "rp-hbar--first"), bar(r[2], "rp-hbar--resolution")))),
    );
  }

  for (const control of [siteSelect, periodSelect, intervalSelect, fromInput, toInput]) control.addEventListener("change", () => load());
  hoursToggle.addEventListener("click", () => {
    hoursToggle.setAttribute("aria-pressed", String(hoursToggle.getAttribute("aria-pressed") !== "true"));
    load();
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  store.on("view", (view) => view === "reports" && (sites(), load(true)));
  store.on("session", () => sites());
  sites();
  return { load };
}
