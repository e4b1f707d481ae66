// The pieces of a visitor's profile that the live list and the profile panel share:
// where they are (place, local time), what they use (device glyphs), where they have
// been (breadcrumbs with the time on each page) and where they came from (source).
import { h, setText } from "./dom.js";
import { shortUrl } from "./text.js";
import { duration, liveSince, toMs } from "./time.js";
import { deviceParts } from "./ua.js";

// ---- place and local time

/** {text, short, title} for a geo object of the server (see VisitorSummary.geo). */
export function place(geo) {
  const g = geo || {};
  if (g.unknown || !Object.keys(g).length) return { text: "Unknown location", short: "Unknown", title: "" };
  const city = g.city || g.region || "";
  const country = g.country || g.country_code || "";
  if (g.private && !city && !country) return { text: "Private network", short: "Private network", title: "A private or local address" };
  const text = [city, country].filter(Boolean).join(", ") || "Unknown location";
  const title = [g.city, g.region, g.country].filter(Boolean).join(", ") + (g.private ? " (private network)" : "");
  return { text, short: city || country || "Unknown", title };
}

const clocks = new Map();

/** "14:03" in the visitor's own time zone ("" when unknown). */
export function localTime(zone, now = Date.now()) {
  if (!zone) return "";
  if (!clocks.has(zone)) {
    let fmt = null;
    try {
      fmt = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", timeZone: zone });
    } catch {
      /* an unknown zone name */
    }
    clocks.set(zone, fmt);
  }
  const fmt = clocks.get(zone);
  return fmt ? fmt.format(now) : "";
}

/** An element that shows the local time of `zone` and keeps it current. */
export function localClock(el, zone) {
  el.dataset.tz = zone || "";
  setText(el, localTime(zone));
  el.hidden = !zone || !el.textContent;
  return el;
}

let clockTimer = 0;
/** One timer for every local clock on the page: they change once a minute. */
export function startLocalClocks() {
  if (clockTimer) return;
  clockTimer = setInterval(() => {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-tz]")) {
      if (el.dataset.tz) setText(el, localTime(el.dataset.tz, now));
    }
  }, 15_000);
}

// ---- device glyphs: monochrome, 16×16, drawn with paths (no images, no fonts)

const SVG_NS = "http://www.w3.org/2000/svg";
const GLYPHS = {
  desktop: ["M3 4h18v12H3z", "M8 20h8", "M12 16v4"],
  mobile: ["M7 2h10v20H7z", "M11 18h2"],
  tablet: ["M4 3h16v18H4z", "M11 17h2"],
  windows: ["M3 5l8-1v7H3z", "M13 4l8-1v8h-8z", "M3 13h8v7l-8-1z", "M13 13h8v8l-8-1z"],
  apple: ["M16 3c0 2-1.6 3.6-3.5 3.6C12.5 4.7 14 3 16 3z", "M12 8c-1-.1-2.3-1-3.6-.9C6.2 7.2 4.5 9 4.5 12c0 4 2.8 8.5 4.7 8.5 1.1 0 1.6-.7 2.8-.7s1.6.7 2.8.7c1.6 0 3.4-3 3.9-5-2-.9-2.6-3.5-1.3-5.2.4-.6 1-1 1.5-1.3-.8-1.1-2.1-1.8-3.4-1.8-1.3 0-2.3.8-3.5.8z"],
  android: ["M6 10h12v7H6z", "M8.5 6.5A5 5 0 0 1 15.5 6.5L17 9H7z", "M8 17v3", "M16 17v3", "M4 11v5", "M20 11v5"],
  linux: ["M4 5h16v14H4z", "M7 10l3 2-3 2", "M12 15h4"],
  browser: ["M3 12a9 9 0 1 0 18 0a9 9 0 1 0-18 0", "M3 12h18", "M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9s1.3-6.4 3.8-9z"],
  robot: ["M5 8h14v11H5z", "M12 4v4", "M9 13h.01", "M15 13h.01", "M9 16h6"],
  clock: ["M3 12a9 9 0 1 0 18 0a9 9 0 1 0-18 0", "M12 7v5l3 2"],
};

const glyphCache = new Map();

/** An SVG glyph; made once per name and label, then cloned (the list shows thousands). */
export function glyph(name, label = "") {
  const key = `${name}|${label}`;
  if (!glyphCache.has(key)) glyphCache.set(key, makeGlyph(name, label));
  return glyphCache.get(key).cloneNode(true);
}

function makeGlyph(name, label) {
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: 15, height: 15, fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linecap": "round", "stroke-linejoin": "round", class: `glyph glyph-${name}` })) {
    svg.setAttribute(k, v);
  }
  if (label) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    const title = document.createElementNS(SVG_NS, "title");
    title.textContent = label;
    svg.append(title);
  } else svg.setAttribute("aria-hidden", "true");
  for (const d of GLYPHS[name] || []) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

const OS_GLYPH = { Windows: "windows", macOS: "apple", iOS: "apple", Android: "android", Linux: "linux", ChromeOS: "browser" };

/** {browser, os, type, glyphs: [type, os, browser]} for a device object. */
export function device(dev) {
  const parts = deviceParts(dev);
  const type = parts.type || "desktop";
  return {
    ...parts,
    glyphs: [
      [type, type[0].toUpperCase() + type.slice(1)],
      [OS_GLYPH[parts.os] || "browser", parts.os || "Unknown system"],
      ["browser", parts.browser || "Unknown browser"],
    ],
  };
}

// ---- pages

/**
 * The page an online visitor looks at now: the newest of their pages (the visitor list's
 * form) or `current_page` (a full VisitorSummary); null once they have left.
 */
export function currentPage(v) {
  if (!v || v.online === false) return null;
  return v.current_page || (v.pages && v.pages[0]) || null;
}

/** Title or short URL of a page view. */
export function pageName(page) {
  return (page && (page.title || shortUrl(page.url))) || "—";
}

/** "/tents?size=4#reviews": the part of a URL the site owner recognises. */
export function pathOf(url) {
  try {
    const u = new URL(url);
    return u.pathname + u.search + u.hash || "/";
  } catch {
    return String(url || "");
  }
}

/**
 * Breadcrumbs of the last pages, oldest first: "Home 12s › Tents 1m 04s › Ridge 4 (live)".
 * `pages` come newest first, as in VisitorListItem.pages; the current page counts live.
 */
export function paintCrumbs(list, pages, current) {
  const items = (pages || []).slice(0, 5).reverse(); // oldest first; drawn reversed (CSS)
  const key = items.map((p) => `${p.entered_at}|${p.seconds}|${p.left_at}|${p.title}`).join(";") + (current ? "+" : "");
  if (list.dataset.key === key) return list;
  list.dataset.key = key;
  list.replaceChildren(
    ...items.map((p, i) => {
      const live = current && i === items.length - 1 && !p.left_at;
      const time = h("span", { class: "vx-crumb-time" });
      if (live) liveSince(time, p.entered_at);
      else setText(time, p.seconds != null ? duration(p.seconds * 1000) : "");
      return h("li", { class: live ? "vx-crumb is-current" : "vx-crumb", title: `${pageName(p)}\n${p.url}` }, h("span", { class: "vx-crumb-name" }, pathOf(p.url)), time);
    }).reverse(),
  );
  return list;
}

// ---- source

/** "google / cpc", "news.example" or "Direct", with the detail as a title. */
export function source(src) {
  if (!src) return { text: "—", title: "" };
  const utm = src.utm || {};
  const detail = [
    utm.campaign && `campaign ${utm.campaign}`,
    utm.term && `term ${utm.term}`,
    utm.content && `content ${utm.content}`,
    src.referrer && `from ${src.referrer}`,
  ].filter(Boolean);
  return { text: src.label || "Direct", title: detail.join("\n") };
}

/** Milliseconds since the visit started, for sorting by time on site. */
export function visitAge(v, now = Date.now()) {
  const start = toMs(v.visit_started_at);
  return start == null ? 0 : now - start;
}
