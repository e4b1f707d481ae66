// Top countries on the world dot map (the same dots as the visitor profile's map): one
// circle per country at the mean place of its visitors, larger for more visits.
import { WORLD } from "./visitor-profile-world.js";
import { landPath } from "./visitor-profile-map.js";

const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text) node.textContent = text;
  return node;
}

export function countryMap(figure) {
  const col = (name) => figure.columns.indexOf(name);
  const [code, country, visits, lat, lon] = ["country_code", "country", "visits", "lat", "lon"].map(col);
  const placed = figure.rows.filter((r) => typeof r[lat] === "number" && typeof r[lon] === "number");
  const max = Math.max(1, ...placed.map((r) => r[visits]));
  const top = figure.rows.slice(0, 5).map((r) => `${r[country]}: ${r[visits]}`).join(", ");
  const svg = el("svg", {
    viewBox: `0 0 ${WORLD.cols} ${WORLD.rows}`,
    class: "vx-map rp-map",
    role: "img",
    "aria-label": figure.rows.length ? `World map of visits by country. Most visits: ${top}.` : "World map: no visits in this period.",
  });
  svg.append(el("path", { d: landPath(), class: "vx-map-land" }));
  for (const r of placed) {
    const circle = el("circle", {
      cx: ((r[lon] + 180) / WORLD.step).toFixed(2),
      cy: ((WORLD.north - r[lat]) / WORLD.step).toFixed(2),
      r: (1.2 + 4 * Math.sqrt(r[visits] / max)).toFixed(2),
      class: "rp-map-dot",
      "data-country": r[code],
    });
    circle.append(el("title", {}, `${r[country]}: ${r[visits]} visits`));
    svg.append(circle);
  }
  return svg;
}
