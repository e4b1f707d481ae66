// The audit view of one message (admins and owners): what it said before each edit and
// before its deletion, from message_history.
import { h, icon } from "./dom.js";
import { fullDate } from "./time.js";

export function showMessageHistory(answer) {
  const { message, revisions } = answer;
  const now = message.deleted_at ? "Deleted" : "Now";
  const rows = [
    ...(revisions || []).map((r) =>
      h(
        "li",
        { class: "history-item" },
        h("div", { class: "history-meta" }, `${r.action === "delete" ? "Deleted" : "Edited"} by ${r.actor.name || r.actor.kind} · ${fullDate(r.created_at)}`),
        h("div", { class: "history-text" }, r.text || "(no words)"),
      ),
    ),
    h("li", { class: "history-item history-item--now" }, h("div", { class: "history-meta" }, now), h("div", { class: "history-text" }, message.text || "(no words)")),
  ];
  const dialog = h(
    "dialog",
    { class: "history-dialog", "aria-label": "What this message said before" },
    h(
      "div",
      { class: "history-head" },
      h("h2", { class: "history-title" }, "What this message said before"),
      h("button", { class: "icon-btn", type: "button", "aria-label": "Close", onclick: () => dialog.close() }, icon("x", 16)),
    ),
    h("p", { class: "history-lead" }, "Only admins and owners see earlier wordings and deleted messages."),
    h("ol", { class: "history-list" }, rows),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
