// The live parts around the conversation: "delivered" receipts for the
// agents' live messages, the notice that agents see drafts, and an e-mail
// field while nobody is online. (Receipts for the history a session brings,
// and whether the tab is in view, are core.js's: they need no chat.)

import { h } from "./dom.js";
import { t } from "./i18n.js";

/**
 * @param {object} o
 * @param {object} o.view                      the widget's view (host, list)
 * @param {(event: string, payload: object) => void} o.send  fire and forget
 * @param {object} o.store                     site-scoped storage
 * @param {(data: object) => void} o.identify  Porchlight('identify', ...)
 */
export function createLive({ view, send, store, identify }) {
  const deliver = (id) => id && send("delivered", { up_to: id }); // the server ignores repeats
  // (send does nothing once the widget is stopped: it is not connected any more)

  const notice = h("div", { class: "notice" });
  view.list.el.after(notice);

  // While nobody is online: leave an e-mail address for the answer (styled like the
  // pre-chat questions).
  const input = h("input", { type: "email", required: true, autocomplete: "email" });
  const button = h("button");
  const form = h("form", { class: "pre", hidden: true }, input, button);
  view.host.shadowRoot.querySelector(".away").after(form); // under the offline message
  const thank = () => store.get("email") && form.replaceChildren(t("Thanks! The team can now write to you at") + " " + store.get("email"));
  form.onsubmit = (ev) => {
    ev.preventDefault();
    store.set("email", input.value.trim());
    identify({ email: store.get("email") });
    thank();
  };

  return {
    /** A live message of an agent reached this tab. */
    message: (m) => deliver(m.id),
    /** Words in the site's language, and whether previews are on. */
    setSettings(s) {
      notice.hidden = !s.typing_preview;
      notice.textContent = t("Agents can see what you type before you send it.");
      input.placeholder = t("Your e-mail"); // also its accessible name
      button.textContent = t("Leave address");
      thank();
    },
    setOnline(online) {
      form.hidden = online;
    },
  };
}
