// Reply box: Enter sends, Shift+Enter adds a line; one draft per conversation.
import { h, icon } from "./dom.js";

const MAX_HEIGHT = 200;

export function createComposer({ onSend, attach }) {
  const drafts = new Map();
  let conversationId = null;

  const textarea = h("textarea", {
    class: "composer-input",
    rows: "1",
    placeholder: "Write a reply…",
    "aria-label": "Reply",
    autocomplete: "off",
    spellcheck: "true",
  });
  const send = h("button", { class: "composer-send", type: "submit", "aria-label": "Send", title: "Send (Enter)", disabled: true }, icon("arrowUp", 18));
  const form = h(
    "form",
    { class: "composer", onsubmit: submit },
    attach && attach.tray,
    h("div", { class: "composer-box" }, attach && attach.els, textarea, send),
    h("p", { class: "composer-hint" }, h("kbd", {}, "Enter"), " to send · ", h("kbd", {}, "Shift"), " + ", h("kbd", {}, "Enter"), " for a new line"),
  );

  // With images attached (attach.js) the text may be empty; uploads must finish first.
  const ready = (text) => (attach ? attach.canSend(text) : Boolean(text.trim()));

  function resize() {
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT)}px`;
    textarea.style.overflowY = textarea.scrollHeight > MAX_HEIGHT ? "auto" : "hidden";
  }

  function sync() {
    send.disabled = !ready(textarea.value);
    if (conversationId) drafts.set(conversationId, textarea.value);
    resize();
  }

  function submit(event) {
    event.preventDefault();
    const text = textarea.value;
    if (!ready(text) || !conversationId) return;
    const files = attach ? attach.take() : [];
    textarea.value = "";
    drafts.delete(conversationId);
    sync();
    onSend(text, files);
    textarea.focus();
  }

  textarea.addEventListener("input", sync);
  if (attach) attach.hook(textarea, sync);
  textarea.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    submit(event);
  });

  return {
    el: form,
    textarea,
    /** Switch to another conversation, keeping each one's unsent draft. */
    setConversation(id, visitorName) {
      conversationId = id;
      textarea.value = (id && drafts.get(id)) || "";
      textarea.placeholder = visitorName ? `Reply to ${visitorName}…` : "Write a reply…";
      if (attach) attach.refresh(); // each conversation keeps its own images
      sync();
    },
    focus() {
      textarea.focus({ preventScroll: true });
    },
  };
}
