// Turning people's text into DOM safely, plus small name helpers.

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = ".,;:!?'\"]}>";

/** Drop trailing punctuation; keep a ")" that closes a "(" inside the URL. */
function trimUrl(raw) {
  let url = raw;
  while (url.length) {
    const last = url[url.length - 1];
    if (last === ")") {
      if (count(url, "(") >= count(url, ")")) break;
    } else if (!TRAILING.includes(last)) break;
    url = url.slice(0, -1);
  }
  return url;
}

function count(s, c) {
  return s.split(c).length - 1;
}

/** Returns a safe http(s) href or null. */
export function safeHref(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function externalLink(href, label) {
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.textContent = label;
  return a;
}

/** Text → DocumentFragment of text nodes and <a> elements for http(s) links. */
export function linkify(text) {
  const frag = document.createDocumentFragment();
  const source = String(text ?? "");
  let last = 0;
  for (const match of source.matchAll(URL_RE)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    const start = match.index;
    if (start > last) frag.append(document.createTextNode(source.slice(last, start)));
    frag.append(externalLink(href, url));
    last = start + url.length;
  }
  if (last < source.length) frag.append(document.createTextNode(source.slice(last)));
  return frag;
}

/** "Ana Silva" → "AS"; "Visitor 4k2j9a" → "4K". */
export function initials(name) {
  const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
  if (words.length >= 2 && words[0].toLowerCase() === "visitor") return words[1].slice(0, 2).toUpperCase();
  const letters = words.length >= 2 ? words[0][0] + words[1][0] : (words[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

/** Stable hue (0–359) for an id, for avatar colours. */
export function hue(id) {
  let hash = 0;
  for (const ch of String(id || "")) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % 360;
}

/** "https://shop.example/cart?x=1" → "shop.example/cart". */
export function shortUrl(raw) {
  try {
    const url = new URL(raw);
    const path = url.pathname === "/" ? "" : url.pathname;
    return url.host + path;
  } catch {
    return String(raw || "");
  }
}
