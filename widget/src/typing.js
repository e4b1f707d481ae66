// Typing, both ways. What the visitor types goes to the agents as a preview
// (masked by redact.js first, at most 10 a second, 100 ms after a keystroke),
// and stops on blur, on an empty field, after 3 s without typing and on send.
// When the site turns previews off, the same signals go out without words.
// What an agent types shows under the team's name as "Ana is typing…" (or
// their words, when the site allows it).

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { redact } from "./redact.js";

const GAP = 100; // ms between previews, and from a keystroke to its preview
const QUIET = 3000; // no keystroke for this long: stopped typing
const MAX = 1000; // characters of the draft's end that are sent

/**
 * @param {object} o
 * @param {(event: string, payload: object) => void} o.send  fire and forget
 * @param {ShadowRoot} o.root   the widget's shadow root (the composer, the header)
 */
export function createTyping({ send, root }) {
  let seq = 0;
  let draft = "";
  let typing = false; // a preview went out and was not stopped yet
  let words = true;
  let last = 0;
  let timer = 0;
  let quiet = 0;

  function flush() {
    timer = 0;
    const wait = last + GAP - Date.now();
    if (wait > 0) return (timer = setTimeout(flush, wait));
    last = Date.now();
    typing = true;
    send("typing_preview", { seq: ++seq, text: words ? redact(draft).slice(-MAX) : null });
  }

  function stop(quietly) {
    clearTimeout(timer);
    clearTimeout(quiet);
    timer = 0;
    if (typing && !quietly) send("stop_typing_preview", {});
    typing = false;
  }

  // Later, so that a click on Send (which blurs the field first) or the field
  // emptied by sending does not clear the preview just before the message.
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(stop, 300);
  };
  root.addEventListener("focusout", (ev) => ev.target.tagName == "TEXTAREA" && soon());

  // ---- the agent's side: "Ana is typing…" (or their words) in place of the status line

  const line = h("div", { class: "status", role: "status", hidden: true });
  const status = root.querySelector(".status");
  status.before(line);
  let expire = 0;

  function hide() {
    clearTimeout(expire);
    line.hidden = true;
  }

  return {
    /** The draft changed (composer's onInput). */
    input(text) {
      draft = text;
      clearTimeout(quiet);
      if (!text.trim()) return soon();
      quiet = setTimeout(stop, QUIET);
      if (!timer) timer = setTimeout(flush, GAP);
    },
    /** The draft was sent: the server clears the preview with the message. */
    sent: () => stop(true),
    /** The site's options: previews with words, or "typing" only. */
    setWords(on) {
      words = on;
    },
    showAgent(p) {
      const name = (p.agent || {}).name || t("Support");
      line.textContent = p.text ? name + ": " + p.text : name + " " + t("is typing\u2026");
      line.hidden = false;
      clearTimeout(expire);
      expire = setTimeout(hide, 6000); // in case the "stopped" never comes
    },
    hideAgent: hide,
  };
}
