// Message text to DOM nodes: plain text nodes, with http(s) URLs turned into
// <a> elements built one by one (never an HTML string).

import { h } from "./dom.js";

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'*_~]+$/;

/** The absolute URL if it is http(s), else null. */
export function safeUrl(raw, base) {
  try {
    const url = new URL(raw, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (_) {
    return null;
  }
}

// Drop punctuation that ends a sentence, and closing brackets that have no
// opening partner inside the URL ("(see https://x.y/a)").
function trimUrl(raw) {
  let url = raw.replace(TRAILING, "");
  for (const [open, close] of [["(", ")"], ["[", "]"]]) {
    while (url.endsWith(close) && url.split(open).length < url.split(close).length) {
      url = url.slice(0, -1).replace(TRAILING, "");
    }
  }
  return url;
}

export function linkify(text) {
  const nodes = [];
  const pattern = new RegExp(URL_PATTERN);
  let last = 0;
  let match;
  while ((match = pattern.exec(text))) {
    const raw = trimUrl(match[0]);
    const href = safeUrl(raw);
    if (!href) continue;
    if (match.index > last) nodes.push(text.slice(last, match.index));
    nodes.push(h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow" }, raw));
    last = match.index + raw.length;
    pattern.lastIndex = last;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}
