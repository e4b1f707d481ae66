// Attachments inside a message: images as thumbnails (their real aspect
// ratio, reserved before they load) that open full size in the lightbox;
// anything else (a PDF, a text file) as a file card with its name and size,
// which downloads (the server sends it as an attachment).
import { h, icon } from "./dom.js";
import { openLightbox } from "./lightbox.js";

const THUMB = 260;

export function formatBytes(n) {
  if (!(n > 0)) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** An http(s) URL, relative ones resolved against this server; else null. */
export function resolveUrl(raw) {
  try {
    const url = new URL(raw, location.origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function fit(width, height) {
  const w = width > 0 ? width : THUMB;
  const ht = height > 0 ? height : Math.round((THUMB * 3) / 4);
  const scale = Math.min(1, THUMB / w, THUMB / ht);
  return [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(ht * scale))];
}

/** "1600 × 1200 · 240 KB" */
export function describe(a) {
  const size = a.width && a.height ? `${a.width} × ${a.height}` : "";
  return [size, formatBytes(a.bytes)].filter(Boolean).join(" · ");
}

/** A document: its name and size; a click downloads it. */
function fileCard(a, href) {
  const name = typeof a.filename === "string" && a.filename ? a.filename : "Attachment";
  const size = formatBytes(a.bytes);
  return h(
    "a",
    { class: "att-file", href, download: name, rel: "noopener noreferrer", title: `Download ${name}` },
    h("span", { class: "att-file-icon", "aria-hidden": "true" }, icon("paperclip", 16)),
    h("span", { class: "att-file-text" }, h("span", { class: "att-file-name" }, name), size ? h("span", { class: "att-file-size" }, size) : null),
  );
}

/** The attachments of `msg`, or null; `mine` says whether the viewing agent wrote it. */
export function attachmentsView(msg, mine) {
  const nodes = [];
  const who = mine ? "you" : (msg.author && msg.author.name) || "the visitor";
  for (const a of msg.attachments || []) {
    const href = a && resolveUrl(a.url);
    if (!href) continue;
    if (typeof a.type === "string" && !a.type.startsWith("image/")) {
      nodes.push(fileCard(a, href));
      continue;
    }
    const [width, height] = fit(a.width, a.height);
    const alt = `Image from ${who}`;
    const caption = describe(a);
    const link = h(
      "a",
      { class: "att-thumb", href, target: "_blank", rel: "noopener noreferrer", title: caption ? `${alt} (${caption})` : alt },
      h("img", { src: resolveUrl(a.thumb_url) || href, alt, width, height, loading: "lazy", decoding: "async" }),
    );
    link.addEventListener("click", (event) => {
      if (event.button || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      openLightbox({ src: href, alt, caption, opener: link });
    });
    nodes.push(link);
  }
  return nodes.length ? h("div", { class: "attachments" }, nodes) : null;
}
