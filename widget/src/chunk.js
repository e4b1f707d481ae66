// The chat chunk's side of chunk-loader.js: announce this script with a synchronous
// DOM event; the widget's listener fills in the shared modules and, once this
// script has run, takes the start function.

const slot = {};
document.dispatchEvent(new CustomEvent("porchlight-chat", { detail: slot }));

/** The modules whose state lives in the first chunk (see build.mjs, SHARED). */
export const shared = slot.shared || {};

export function register(start) {
  slot.start = start;
}
