// The message box: a growing textarea and a send button.
// Enter sends, Shift+Enter starts a new line; an IME composition is never
// cut short. `onInput` receives the draft on every change, the hook for
// features that follow what the visitor types.

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { SEND } from "./icons.js";

const MAX_HEIGHT = 132;

/**
 * @param {object} o
 * @param {(text: string) => void} o.onSubmit   called with the text exactly as typed
 * @param {(text: string) => void} [o.onInput]
 */
export function createComposer({ onSubmit, onInput, attach }) {
  const input = h("textarea", {
    class: "input",
    rows: "1",
    placeholder: t("Write a message\u2026"),
    "aria-label": t("Message"),
    enterkeyhint: "send",
    autocomplete: "off",
  });
  const send = h("button", { class: "send", type: "button", "aria-label": t("Send message"), disabled: true }, icon(SEND));
  const el = h("div", { class: "composer" }, attach && attach.els, input, send);
  // With images attached (attach.js) the text may be empty; uploads must finish first.
  const ready = (text) => (attach ? attach.canSend(text) : !!text.trim());

  function resize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, MAX_HEIGHT) + "px";
    input.style.overflowY = input.scrollHeight > MAX_HEIGHT ? "auto" : "hidden";
  }

  function changed() {
    send.disabled = !ready(input.value);
    resize();
    if (onInput) onInput(input.value);
  }

  function submit() {
    const text = input.value;
    if (!ready(text)) return;
    const files = attach ? attach.take() : [];
    input.value = "";
    changed();
    onSubmit(text, files);
    input.focus();
  }

  input.addEventListener("input", changed);
  if (attach) attach.hook(input, changed);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      submit();
    }
  });
  send.addEventListener("click", submit);

  return {
    el,
    focus() {
      input.focus({ preventScroll: true });
    },
    /** Re-measure once the box is visible (it has no height while hidden). */
    resize,
  };
}
