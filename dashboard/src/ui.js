// Shared bits of UI: loading skeletons and empty states.
import { h, icon } from "./dom.js";

export function skeleton(rows = 6) {
  const wrap = h("div", { class: "skeleton", role: "status", "aria-label": "Loading" });
  for (let i = 0; i < rows; i++) {
    wrap.append(
      h(
        "div",
        { class: "skeleton-row" },
        h("span", { class: "skeleton-circle" }),
        h("span", { class: "skeleton-lines" }, h("span", { class: "skeleton-line" }), h("span", { class: "skeleton-line short" })),
      ),
    );
  }
  return wrap;
}

/** emptyState({icon: "chat", title, text, action: {label, onclick}}) */
export function emptyState({ icon: name, title, text, action }) {
  return h(
    "div",
    { class: "empty" },
    name && h("span", { class: "empty-icon" }, icon(name, 22)),
    h("p", { class: "empty-title" }, title),
    text && h("p", { class: "empty-text" }, text),
    action && h("button", { class: "btn btn-secondary", type: "button", onclick: action.onclick }, action.label),
  );
}
