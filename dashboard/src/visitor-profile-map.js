// A small world map for the profile panel: a dot for every 2-degree cell that holds a
// known location (visitor-profile-world.js) and a marker where the visitor is. Drawn
// as one SVG path: no tiles, no network, nothing from another origin.
import { WORLD } from "./visitor-profile-world.js";

const SVG_NS = "http://www.w3.org/2000/svg";
let land = "";

export function landPath() {
  if (land) return land;
  const raw = atob(WORLD.bits);
  const parts = [];
  for (let i = 0; i < WORLD.rows * WORLD.cols; i++) {
    if (raw.charCodeAt(i >> 3) & (1 << (i & 7))) {
      parts.push(`M${(i % WORLD.cols) + 0.5} ${Math.floor(i / WORLD.cols) + 0.5}h0`);
    }
  }
  land = parts.join("");
  return land;
}

function el(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

/** An <svg> world map with a marker at lat/lon (no marker when either is missing). */
export function worldMap(lat, lon, label = "") {
  const svg = el("svg", {
    viewBox: `0 0 ${WORLD.cols} ${WORLD.rows}`,
    class: "vx-map",
    role: "img",
    "aria-label": label ? `Map: ${label}` : "World map",
  });
  svg.append(el("path", { d: landPath(), class: "vx-map-land" }));
  if (typeof lat === "number" && typeof lon === "number") {
    const x = (lon + 180) / WORLD.step;
    const y = (WORLD.north - lat) / WORLD.step;
    svg.append(el("circle", { cx: x, cy: y, r: 5, class: "vx-map-halo" }));
    svg.append(el("circle", { cx: x, cy: y, r: 2.2, class: "vx-map-pin" }));
  }
  return svg;
}
