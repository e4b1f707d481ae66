// Fetches the chat chunk (static/widget-chat.js) once, with a <script> element
// from the widget's own origin, so a page whose CSP allows widget.js allows it too.
// The chunk announces itself with a synchronous DOM event: the listener hands it the
// modules both chunks share (their state lives here) and takes its start function.
// No global variable is involved.

import * as dom from "./dom.js";
import * as i18n from "./i18n.js";

const SHARED = { dom, i18n };
export const CHUNK_EVENT = "porchlight-chat";

let loading = null;

/** Resolves to the chunk's start function; a failed load can be tried again. */
export function loadChatChunk(origin, nonce) {
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    let slot = null;
    const claim = (ev) => {
      slot = ev.detail;
      slot.shared = SHARED;
    };
    document.addEventListener(CHUNK_EVENT, claim);
    const script = document.createElement("script");
    script.src = origin + "/widget-chat.js?v=" + __CHAT_VERSION__;
    script.async = true;
    if (nonce) script.nonce = nonce;
    script.onload = script.onerror = () => {
      document.removeEventListener(CHUNK_EVENT, claim);
      script.remove();
      if (slot && slot.start) resolve(slot.start);
      else {
        loading = null;
        reject(new Error("the chat could not be loaded"));
      }
    };
    (document.head || document.documentElement).appendChild(script);
  });
  return loading;
}
