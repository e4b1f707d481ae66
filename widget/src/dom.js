// Tiny element builders. Text always goes in as text nodes; there is no
// code path that parses a string as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * h("div", {class: "x", "aria-label": "y", onclick: fn}, child, "text", ...)
 * Attributes are set with setAttribute; `on*` functions become listeners;
 * string children become text nodes; null/false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const name in attrs) {
      const value = attrs[name];
      if (value == null || value === false) continue;
      if (typeof value === "function" && name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An inline icon: a 24x24 SVG with one or more path outlines. */
export function icon(paths, className) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  if (className) svg.setAttribute("class", className);
  for (const d of [].concat(paths)) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
  }
  return svg;
}

/** Text for screen readers only. */
export function srText(text) {
  return h("span", { class: "sr" }, text);
}
