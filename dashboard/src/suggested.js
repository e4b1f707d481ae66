// Suggested replies above the reply box: the saved replies that best answer the visitor's
// open question (ranked on the server). A click inserts one; the × hides them until the
// visitor writes again.
import { h, icon } from "./dom.js";

export function createSuggestions({ onPick }) {
  let forMessage = null;
  let dismissed = null;
  const chips = h("div", { class: "suggest-chips" });
  const el = h(
    "div",
    { class: "suggest", hidden: true, role: "region", "aria-label": "Suggested replies" },
    h("span", { class: "suggest-label" }, icon("spark", 14), "Suggested"),
    chips,
    h("button", { class: "suggest-close", type: "button", title: "Hide suggestions", "aria-label": "Hide suggestions", onclick: dismiss }, icon("x", 14)),
  );

  function dismiss() {
    dismissed = forMessage;
    el.hidden = true;
  }

  return {
    el,
    /** `answer`: {message_id, suggestions} from suggest_replies. */
    show(answer) {
      const list = (answer && answer.suggestions) || [];
      forMessage = (answer && answer.message_id) || null;
      chips.replaceChildren(
        ...list.map((reply) =>
          h(
            "button",
            {
              class: "suggest-chip",
              type: "button",
              title: reply.filled,
              dataset: { shortcut: reply.shortcut },
              onclick: () => onPick(reply.filled, reply),
            },
            h("span", { class: "suggest-name" }, reply.title || `/${reply.shortcut}`),
            h("span", { class: "suggest-text" }, reply.filled),
          ),
        ),
      );
      el.hidden = !list.length || forMessage === dismissed;
    },
    clear() {
      forMessage = null;
      chips.replaceChildren();
      el.hidden = true;
    },
  };
}
