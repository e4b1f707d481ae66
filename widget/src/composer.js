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
  // What the next send answers (a quoted message) or changes (an own message).
  let about = null;
  const aboutText = h("span");
  const bar = h("div", { class: "about", hidden: true }, aboutText, h("button", { type: "button", "aria-label": t("Cancel"), onclick: () => setAbout() }, "\u00d7"));
  const el = h("div", { class: "composer" }, bar, attach && attach.els, input, send);
  function setAbout(a, m) {
    if (about && about.a == "edit") input.value = "";
    about = m ? { a, m } : null;
    bar.hidden = !about;
    if (about) {
      aboutText.textContent = a == "edit" ? t("Editing") : t("Reply") + ": " + (m.text || "");
      if (a == "edit") input.value = m.text || "";
      input.focus();
    }
    changed();
  }
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
    const was = about;
    const files = attach && !was ? attach.take() : [];
    input.value = "";
    about = null;
    setAbout();
    onSubmit(text, files, was);
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
    about: setAbout,
  };
}
