// A busiest-hours heat map: weekdays down, hours across, one SVG cell each, darker for
// more (new conversations, or visitors online). Each cell has a <title> (a tooltip and a name for screen
// readers); the whole map is also described in words.
import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const key in attrs) el.setAttribute(key, String(attrs[key]));
  el.append(...children);
  return el;
}

export function heatMap(figure, { what = "new conversations", none = "No conversations in this period.", hue = "37, 99, 235" } = {}) {
  const cell = 22;
  const left = 36;
  const top = 18;
  const max = Math.max(1, ...figure.rows.flatMap((r) => r.slice(1)));
  const cells = [];
  let busiest = { n: 0 };
  figure.rows.forEach((row, d) => {
    row.slice(1).forEach((n, hour) => {
      if (n > busiest.n) busiest = { n, day: row[0], hour };
      const alpha = n ? 0.15 + 0.85 * (n / max) : 0.04;
      const rect = svg("rect", { x: left + hour * cell, y: top + d * cell, width: cell - 2, height: cell - 2, rx: 3, fill: `rgba(${hue}, ${alpha.toFixed(3)})`, "data-count": n });
      rect.append(svg("title", {}, `${row[0]} ${String(hour).padStart(2, "0")}:00: ${n}`));
      cells.push(rect);
    });
  });
  const hours = [];
  for (let hour = 0; hour < 24; hour += 3) {
    hours.push(svg("text", { x: left + hour * cell, y: 12, class: "rp-heat-label" }, String(hour).padStart(2, "0")));
  }
  const days = figure.rows.map((row, d) => svg("text", { x: 0, y: top + d * cell + 15, class: "rp-heat-label" }, row[0]));
  const width = left + 24 * cell;
  const height = top + 7 * cell;
  const said = busiest.n ? `The busiest hour is ${busiest.day} ${String(busiest.hour).padStart(2, "0")}:00 with ${busiest.n}.` : none;
  return h(
    "div",
    { class: "rp-heat" },
    svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Heat map of ${what} by weekday and hour. ${said}`, class: "rp-heat-svg" }, ...hours, ...days, ...cells),
  );
}
