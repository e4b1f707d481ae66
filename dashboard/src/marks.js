// Search excerpts arrive with their matches between two private-use characters
// (U+E000 … U+E001, never HTML). This splits on them and builds <mark> elements.
import { h } from "./dom.js";

const START = "\ue000";
const END = "\ue001";

/** Nodes for `text` with each marked run in a <mark>. */
export function marked(text) {
  const nodes = [];
  const parts = String(text || "").split(START);
  if (parts[0]) nodes.push(document.createTextNode(parts[0]));
  for (const part of parts.slice(1)) {
    const end = part.indexOf(END);
    const hit = end < 0 ? part : part.slice(0, end);
    const rest = end < 0 ? "" : part.slice(end + 1);
    nodes.push(h("mark", { class: "hit" }, hit.replaceAll(END, "")));
    if (rest) nodes.push(document.createTextNode(rest.replaceAll(END, "")));
  }
  return nodes;
}

/** The text without the marks (for titles and labels). */
export function plain(text) {
  return String(text || "").replaceAll(START, "").replaceAll(END, "");
}
