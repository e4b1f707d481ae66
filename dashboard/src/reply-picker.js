// The saved-reply picker: "/" at the start of a line in the reply box opens it; what
// follows filters by shortcut, title or words; ↑/↓ choose, Enter or Tab insert, Esc closes.
// "/refund" + Tab inserts /refund at once. Replies arrive with their placeholders filled.
import { h, setText } from "./dom.js";

const MAX_QUERY = 60;
const TRIGGER = /(^|\n)\/([^\n/]*)$/;

/** The replies matching `query`, best first: exact shortcut, its start, inside it, words. */
export function matchReplies(replies, query) {
  const q = query.trim().toLowerCase();
  const words = q.split(/\s+/).filter(Boolean);
  const scored = [];
  for (const reply of replies) {
    const shortcut = reply.shortcut.toLowerCase();
    let rank;
    if (!q) rank = 1;
    else if (shortcut === q) rank = 0;
    else if (shortcut.startsWith(q)) rank = 1;
    else if (shortcut.includes(q)) rank = 2;
    else {
      const haystack = `${shortcut} ${reply.title || ""} ${reply.filled || reply.text}`.toLowerCase();
      if (!words.every((w) => haystack.includes(w))) continue;
      rank = 3;
    }
    scored.push({ reply, rank });
  }
  scored.sort((a, b) => a.rank - b.rank || a.reply.shortcut.localeCompare(b.reply.shortcut));
  return scored.map((s) => s.reply);
}

export function createReplyPicker({ textarea, replies, onInsert }) {
  let open = false;
  let items = [];
  let active = 0;
  let token = null; // {start, end} of "/query" in the textarea

  const listId = "reply-picker-list";
  const list = h("ul", { class: "picker-list", id: listId, role: "listbox", "aria-label": "Saved replies" });
  const empty = h("p", { class: "picker-empty", hidden: true });
  const manage = h("a", { class: "picker-manage", href: "#", target: "_blank", rel: "noopener" }, "Manage saved replies");
  const el = h(
    "div",
    { class: "picker", hidden: true },
    h(
      "div",
      { class: "picker-head" },
      h("span", { class: "picker-title" }, "Saved replies"),
      h("span", { class: "picker-keys" }, h("kbd", {}, "↑"), h("kbd", {}, "↓"), " choose · ", h("kbd", {}, "Enter"), " or ", h("kbd", {}, "Tab"), " insert · ", h("kbd", {}, "Esc")),
    ),
    list,
    empty,
    h("div", { class: "picker-foot" }, manage),
  );
  textarea.setAttribute("aria-controls", listId);
  textarea.setAttribute("aria-autocomplete", "list");

  function currentToken() {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return null;
    const before = textarea.value.slice(0, caret);
    const match = TRIGGER.exec(before);
    if (!match || match[2].length > MAX_QUERY) return null;
    return { start: caret - match[2].length - 1, end: caret, query: match[2] };
  }

  function render() {
    list.replaceChildren(
      ...items.map((reply, i) =>
        h(
          "li",
          {
            class: `picker-item${i === active ? " is-active" : ""}`,
            role: "option",
            id: `reply-option-${reply.id}`,
            "aria-selected": i === active ? "true" : "false",
            dataset: { shortcut: reply.shortcut },
            onmousedown: (event) => {
              event.preventDefault(); // keep the textarea's focus and caret
              choose(i);
            },
            onmousemove: () => {
              if (active !== i) {
                active = i;
                render();
              }
            },
          },
          h(
            "span",
            { class: "picker-line" },
            h("code", { class: "picker-code" }, `/${reply.shortcut}`),
            reply.title && h("span", { class: "picker-name" }, reply.title),
            reply.scope === "personal" && h("span", { class: "picker-scope" }, "yours"),
          ),
          h("span", { class: "picker-text" }, reply.filled || reply.text),
        ),
      ),
    );
    const q = token ? token.query : "";
    const all = replies();
    empty.hidden = items.length > 0;
    setText(empty, all.length ? `No saved reply matches “/${q}”.` : "No saved replies yet.");
    if (items[active]) {
      textarea.setAttribute("aria-activedescendant", `reply-option-${items[active].id}`);
      const node = list.children[active];
      if (node && node.scrollIntoView) node.scrollIntoView({ block: "nearest" });
    } else textarea.removeAttribute("aria-activedescendant");
  }

  function show(next) {
    token = next;
    const before = items[active];
    items = matchReplies(replies(), token.query);
    const kept = before ? items.indexOf(before) : -1;
    active = kept >= 0 && token.query ? kept : 0;
    if (!open) {
      open = true;
      el.hidden = false;
      textarea.setAttribute("aria-expanded", "true");
    }
    render();
  }

  function close() {
    if (!open) return;
    open = false;
    token = null;
    el.hidden = true;
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const reply = items[index];
    if (!reply || !token) return;
    const { start, end } = token;
    close();
    onInsert(reply.filled || reply.text, { start, end, reply });
  }

  return {
    el,
    isOpen: () => open,
    /** After every input or caret move: open, filter or close. */
    update() {
      const next = currentToken();
      if (next) show(next);
      else close();
    },
    /** Re-filter with fresh replies (they arrived after the picker opened). */
    refresh() {
      if (open && token) show(token);
    },
    setManageUrl(url) {
      manage.href = url || "#";
      manage.hidden = !url;
    },
    close,
    /** Handles the picker's keys; true when the key was used. */
    handleKey(event) {
      if (!open) return false;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) return true;
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + items.length) % items.length;
        render();
        return true;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        if (event.shiftKey && event.key === "Enter") return false;
        if (items.length) choose(active);
        else close(); // nothing matches: the first Enter only closes the list
        return true;
      }
      if (event.key === "Escape") {
        close();
        return true;
      }
      return false;
    },
  };
}
