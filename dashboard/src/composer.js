// Reply box: Enter sends, Shift+Enter adds a line; one draft per conversation.
// Reply / Note switch (Alt+N): a note is private to the team. "/" opens the saved-reply
// picker; suggested replies sit above the box.
import { h, icon } from "./dom.js";
import { createReplyPicker } from "./reply-picker.js";
import { createSuggestions } from "./suggested.js";

const MAX_HEIGHT = 200;
const MODES = {
  message: { label: "Reply", send: "Send", placeholder: (name) => (name ? `Reply to ${name}…` : "Write a reply…") },
  note: { label: "Note", send: "Add note", placeholder: () => "Write a private note… only your team sees it" },
};

export function createComposer({ onSend, attach }) {
  const drafts = new Map();
  let conversationId = null;
  let visitorName = "";
  let mode = "message";
  let replies = [];
  let context = null; // {kind: "reply" | "edit", msg}: what the next send answers or changes
  const modeListeners = [];

  const textarea = h("textarea", {
    class: "composer-input",
    rows: "1",
    placeholder: "Write a reply…",
    "aria-label": "Reply",
    autocomplete: "off",
    spellcheck: "true",
  });
  const send = h("button", { class: "composer-send", type: "submit", "aria-label": "Send", title: "Send (Enter)", disabled: true }, icon("arrowUp", 18));
  const tab = (value) =>
    h(
      "button",
      {
        class: "composer-mode",
        type: "button",
        role: "tab",
        dataset: { mode: value },
        title: value === "note" ? "Private note, seen by your team only (Alt+N)" : "Reply to the visitor (Alt+N)",
        onclick: () => setMode(value, true),
      },
      value === "note" && icon("lock", 13),
      MODES[value].label,
    );
  const tabs = { message: tab("message"), note: tab("note") };
  const noteBadge = h("span", { class: "composer-private", hidden: true }, icon("lock", 12), "Only your team sees notes");
  const contextText = h("span", { class: "composer-context-text" });
  const contextBar = h(
    "div",
    { class: "composer-context", hidden: true },
    contextText,
    h("button", { class: "composer-context-close", type: "button", title: "Cancel (Esc)", "aria-label": "Cancel", onclick: () => setContext(null) }, icon("x", 14)),
  );
  const box = h(
    "div",
    { class: "composer-box" },
    contextBar,
    h("div", { class: "composer-modes", role: "tablist", "aria-label": "Reply or private note" }, tabs.message, tabs.note, noteBadge),
    h("div", { class: "composer-row" }, attach && attach.els, textarea, send),
  );
  const picker = createReplyPicker({
    textarea,
    replies: () => replies,
    onInsert: (text, { start, end }) => insert(text, start, end),
  });
  const suggestions = createSuggestions({ onPick: (text) => insert(text) });
  const hint = h("p", { class: "composer-hint" });
  const form = h(
    "form",
    { class: "composer", onsubmit: submit },
    suggestions.el,
    attach && attach.tray,
    h("div", { class: "composer-stack" }, picker.el, box),
    hint,
  );

  // With images attached (attach.js) the text may be empty; uploads must finish first.
  const ready = (text) => (attach && mode === "message" ? attach.canSend(text) : Boolean(text.trim()));

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

  function paintMode() {
    const note = mode === "note";
    form.classList.toggle("is-note", note);
    for (const [value, button] of Object.entries(tabs)) {
      button.setAttribute("aria-selected", value === mode ? "true" : "false");
      button.classList.toggle("is-active", value === mode);
    }
    noteBadge.hidden = !note;
    textarea.placeholder = MODES[mode].placeholder(visitorName);
    textarea.setAttribute("aria-label", note ? "Private note" : "Reply");
    send.setAttribute("aria-label", MODES[mode].send);
    send.title = `${MODES[mode].send} (Enter)`;
    hint.replaceChildren(
      h("kbd", {}, "Enter"),
      note ? " to add the note · " : " to send · ",
      h("kbd", {}, "Shift"),
      " + ",
      h("kbd", {}, "Enter"),
      " new line",
      h(
        "span",
        { class: "composer-hint-more" },
        " · ",
        h("kbd", {}, "/"),
        " saved replies · ",
        h("kbd", {}, "Alt"),
        " + ",
        h("kbd", {}, "N"),
        note ? " back to reply" : " private note",
      ),
    );
    sync();
  }

  function setMode(next, focus = false) {
    mode = next in MODES ? next : "message";
    paintMode();
    for (const listener of modeListeners) listener(mode);
    if (focus) textarea.focus();
  }

  function submit(event) {
    event.preventDefault();
    const text = textarea.value;
    if (!ready(text) || !conversationId) return;
    const kind = mode;
    const editing = context && context.kind === "edit" ? context.msg : null;
    const replyTo = context && context.kind === "reply" ? context.msg.id : null;
    const files = attach && kind === "message" && !editing ? attach.take() : [];
    textarea.value = "";
    drafts.delete(conversationId);
    picker.close();
    setContext(null);
    sync();
    onSend(text, files, { kind, replyTo, edit: editing });
    textarea.focus();
  }

  /** Answer (quote) a message, or change one of ours; null goes back to a plain reply. */
  function setContext(next) {
    const wasEdit = context && context.kind === "edit";
    context = next && next.msg ? next : null;
    contextBar.hidden = !context;
    form.classList.toggle("is-editing", Boolean(context && context.kind === "edit"));
    if (!context) {
      if (wasEdit) textarea.value = "";
      sync();
      return;
    }
    const { msg } = context;
    if (context.kind === "edit") {
      contextText.replaceChildren(icon("pencil", 13), h("strong", {}, "Editing"), " · Enter saves, Esc cancels");
      setMode(msg.kind === "note" ? "note" : "message");
      textarea.value = msg.text || "";
    } else {
      const who = msg.author && msg.author.kind === "visitor" ? msg.author.name || "the visitor" : msg.author.name || "Agent";
      contextText.replaceChildren(icon("reply", 13), h("strong", {}, `Replying to ${who}`), h("span", { class: "composer-context-quote" }, msg.text || ""));
    }
    sync();
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  /** Put `text` in the box, in place of start..end (the selection by default). */
  function insert(text, start = textarea.selectionStart, end = textarea.selectionEnd) {
    textarea.focus();
    textarea.setRangeText(text, start, end, "end");
    sync();
    picker.update();
  }

  textarea.addEventListener("input", () => {
    sync();
    picker.update();
  });
  textarea.addEventListener("click", () => picker.update());
  textarea.addEventListener("blur", () => picker.close());
  if (attach) attach.hook(textarea, sync);
  textarea.addEventListener("keydown", (event) => {
    if (event.isComposing || event.keyCode === 229) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyN") {
      event.preventDefault();
      setMode(mode === "note" ? "message" : "note");
      return;
    }
    if (picker.handleKey(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === "Escape" && context) {
      event.preventDefault();
      setContext(null);
      return;
    }
    if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") {
      requestAnimationFrame(() => picker.update());
    }
    if (event.key !== "Enter" || event.shiftKey) return;
    submit(event);
  });

  paintMode();

  return {
    el: form,
    textarea,
    suggestions,
    /** Switch to another conversation, keeping each one's unsent draft. */
    setConversation(id, name) {
      conversationId = id;
      visitorName = name || "";
      textarea.value = (id && drafts.get(id)) || "";
      replies = [];
      context = null;
      contextBar.hidden = true;
      form.classList.remove("is-editing");
      picker.close();
      suggestions.clear();
      if (attach) attach.refresh(); // each conversation keeps its own images
      setMode("message");
    },
    /** The saved replies of the open conversation (placeholders filled). */
    setReplies(list, manageUrl) {
      replies = list || [];
      picker.setManageUrl(manageUrl);
      picker.refresh();
    },
    mode: () => mode,
    setMode,
    setContext,
    onMode: (listener) => modeListeners.push(listener),
    insert,
    focus() {
      textarea.focus({ preventScroll: true });
    },
  };
}

