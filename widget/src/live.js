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
 * @param {(event: string, payload: object) => Promise<object>} o.request  acked
 */
export function createLive({ view, send, store, identify, request }) {
  let mail = false; // the server sends e-mail: replies reach a visitor who left
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
  const thank = () => {
    const email = store.get("email");
    if (email) form.replaceChildren(mail ? t("Thanks! We'll e-mail our reply to {email} if you have left by then.", { email }) : t("Thanks! The team can now write to you at") + " " + email);
  };

  // "E-mail me this conversation": a link, then the address (known or asked) and Send.
  const txInput = h("input", { type: "email", required: true, autocomplete: "email" });
  const txSend = h("button");
  const txSaid = h("p", { role: "status" });
  const txForm = h("form", { class: "pre", hidden: true }, txInput, txSend, txSaid);
  const tx = h("button", { class: "tx", type: "button", hidden: true });
  notice.after(tx, txForm);
  tx.onclick = () => {
    txInput.value = txInput.value || store.get("email") || "";
    txSaid.textContent = "";
    txForm.hidden = !txForm.hidden;
  };
  txForm.onsubmit = async (ev) => {
    ev.preventDefault();
    txSend.disabled = true;
    const ack = await request("email_transcript", { email: txInput.value.trim() });
    txSend.disabled = false;
    txSaid.textContent = ack.ok ? t("Sent to {email}.", { email: ack.email }) : ack.error || t("Not sent. Try again.");
    if (ack.ok) store.set("email", ack.email);
  };
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
      tx.textContent = t("E-mail me this conversation");
      txInput.placeholder = t("Your e-mail");
      txSend.textContent = t("Send");
      thank();
    },
    /** Whether the server sends e-mail, and whether there is a conversation to send. */
    setMail(on, conversation) {
      mail = on;
      tx.hidden = !(on && conversation);
      if (tx.hidden) txForm.hidden = true;
      thank();
    },
    setOnline(online) {
      form.hidden = online;
    },
  };
}
