// After a resolve: "How was this conversation?" Good, okay or bad, then an
// optional comment and Send. One rating per resolution; once given (in this tab
// or another) it says thanks instead.

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

const FACE = "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z";
const EYES = ["M9 9.5h.01", "M15 9.5h.01"];
const SCORES = [
  ["good", [FACE, ...EYES, "M8 14a4.5 4.5 0 0 0 8 0"]],
  ["okay", [FACE, ...EYES, "M8.5 15h7"]],
  ["bad", [FACE, ...EYES, "M8 16.5a4.5 4.5 0 0 1 8 0"]],
];

/** @param {(score: string, comment: string) => Promise<{ok: boolean, code?: string}>} onRate */
export function createRating(onRate) {
  let score = "";
  const ask = h("p");
  const buttons = SCORES.map(([value, face]) =>
    h("button", { type: "button", "aria-pressed": "false", "data-score": value, onclick: () => pick(value) }, icon(face), h("b")),
  );
  const comment = h("textarea", { rows: 2, maxlength: 2000 });
  const send = h("button", { class: "new" });
  const more = h("div", { class: "more", hidden: true }, comment, send);
  const thanks = h("p", { class: "thanks", role: "status", hidden: true });
  const el = h("form", { class: "rate", hidden: true }, ask, h("div", { class: "faces", role: "group" }, buttons), more, thanks);

  function pick(value) {
    score = value;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.score === value));
    more.hidden = false;
    comment.focus();
  }

  function done() {
    ask.hidden = more.hidden = true;
    el.querySelector(".faces").hidden = true;
    thanks.hidden = false;
  }

  el.onsubmit = async (ev) => {
    ev.preventDefault();
    if (!score || send.disabled) return;
    send.disabled = true;
    const ack = await onRate(score, comment.value.trim());
    send.disabled = false;
    if (ack.ok || ack.code === "conflict") done(); // conflict: rated already, in another tab
  };

  return {
    el,
    /** Words in the site's language. */
    setWords() {
      ask.textContent = t("How was this conversation?");
      [t("Good"), t("Okay"), t("Bad")].forEach((word, i) => (buttons[i].lastChild.textContent = word));
      comment.placeholder = t("Add a comment (optional)");
      comment.setAttribute("aria-label", comment.placeholder);
      send.textContent = t("Send rating");
      thanks.textContent = t("Thanks for your rating!");
    },
    /** "ask" | "thanks" | "off" */
    show(mode) {
      el.hidden = mode === "off";
      if (mode === "thanks") return done();
      if (mode !== "ask") return;
      score = "";
      comment.value = "";
      for (const b of buttons) b.setAttribute("aria-pressed", "false");
      ask.hidden = false;
      thanks.hidden = true;
      el.querySelector(".faces").hidden = false;
      more.hidden = true;
    },
  };
}
