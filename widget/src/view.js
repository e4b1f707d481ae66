// The chat panel (header, banners, messages, composer), added into the launcher's
// shadow root (launcher.js). It renders state it is given and reports what the
// visitor does; it keeps no chat state of its own.

import { createComposer } from "./composer.js";
import { h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { CLOSE } from "./icons.js";
import { createMessageList } from "./messages.js";
import { PANEL_CSS } from "./panel-styles.js";
import { createPrechat } from "./prechat.js";
import { createRating } from "./rating.js";
import { followViewport } from "./viewport.js";

const CONNECTION_TEXT = {
  connecting: "Connecting\u2026",
  reconnecting: "Reconnecting\u2026",
  offline: "You're offline. Messages will be sent when you're back.",
  unavailable: "Chat is unavailable right now.",
};
// A picture (the team's avatar) inside a round element, or its initial.
function face(el, url, name) {
  el.textContent = url ? "" : name.trim().charAt(0).toUpperCase();
  if (url) el.appendChild(h("img", { src: url, alt: "" }));
}

/**
 * @param {object} o
 * @param {string} o.origin
 * @param {() => void} o.onClose        close button or Escape
 * @param {(text: string) => void} o.onSend
 * @param {() => void} o.onNearTop      scrolled to the top of the list
 * @param {(text: string) => void} [o.onDraft]   composer text changed
 * @param {object} o.launcher     launcher.js's launcher (its onToggle is the launcher's click)
 */
export function createView({ origin, onClose, onSend, onNearTop, onDraft, attach, onPrechat, onAct, onStartNew, onRate, launcher }) {
  const shell = launcher;
  const { host, root, wrap } = shell;
  shell.addStyles(PANEL_CSS);

  const list = createMessageList({ origin, onNearTop, onAct: (a, m) => (a == "delete" ? onAct(a, m) : composer.about(a, m)) });
  const composer = createComposer({ onSubmit: onSend, onInput: onDraft, attach });
  const prechat = createPrechat((data) => onPrechat && onPrechat(data));
  const lock = h("div", { class: "away", role: "status", hidden: true }, t("Please sign in on this website to chat with us."));
  // After an agent resolved the conversation: writing on reopens it; the button starts
  // afresh; the visitor is asked for a rating until they gave one.
  const rating = createRating((score, comment) => onRate(score, comment));
  const done = h(
    "div",
    { class: "done", hidden: true },
    h("span", { role: "status" }, t("This conversation has been resolved.")),
    rating.el,
    h("button", { class: "new", type: "button", onclick: () => onStartNew() }, t("Start a new conversation")),
  );

  const logo = h("div", { class: "logo", "aria-hidden": "true" });
  const title = h("div", { class: "title" });
  const status = h("div", { class: "status" });
  const closeBtn = h("button", { class: "close", type: "button", "aria-label": t("Close chat"), onclick: () => onClose() }, icon(CLOSE));
  const head = h("div", { class: "head" }, logo, h("div", { class: "who" }, title, status), closeBtn);
  const away = h("div", { class: "away", hidden: true });
  const conn = h("div", { class: "conn", role: "status", hidden: true }, h("span", { class: "spin", "aria-hidden": "true" }), h("span"));
  const panel = h("div", { class: "panel", id: "pl-panel", role: "dialog", hidden: true }, head, away, conn, list.el, done, prechat.el, lock, composer.el);

  wrap.insertBefore(panel, wrap.firstChild);
  if (attach) attach.mount(panel, composer.el, list.el, wrap);

  wrap.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && open) {
      ev.stopPropagation();
      onClose();
    }
  });

  let open = false;
  let online = false;
  let closed = ""; // "Back Monday at 9:00" outside business hours
  let locked = false;
  let asking = false;
  let hideTimer = 0;
  let stopViewport = () => {};

  // Outside business hours the team is out, whoever is online.
  function paintStatus() {
    const here = online && !closed;
    head.classList.toggle("online", here);
    status.textContent = closed || (here ? t("Online now") : t("Away right now"));
    away.hidden = here;
  }

  return {
    host,
    list,
    mount: () => shell.mount(),
    setSettings(s) {
      shell.setSettings(s);
      title.textContent = s.team_name;
      face(logo, s.avatar_url, s.team_name);
      away.textContent = s.offline_message;
      panel.setAttribute("aria-label", t("Chat with {name}", { name: s.team_name }));
      list.setGreeting(s.greeting, s.team_name);
      rating.setWords();
    },
    setAgentsOnline(on) {
      online = on;
      paintStatus();
    },
    /** Outside business hours: when the team is back ("" while inside them). */
    setClosed(text) {
      closed = text;
      paintStatus();
    },
    /** connected | connecting | reconnecting | offline | unavailable */
    setConnection(state) {
      conn.hidden = state === "connected";
      conn.classList.toggle("offline", state === "offline" || state === "unavailable");
      conn.lastChild.textContent = t(CONNECTION_TEXT[state] || "");
    },
    /** Ask name/e-mail before the first message ("off" | "optional" | "required" each). */
    setPrechat(name, email) {
      asking = prechat.show(name, email);
      composer.el.hidden = asking || locked;
      return asking;
    },
    /** The site needs a verified identity this visitor does not have. */
    setLocked(on) {
      locked = on;
      lock.hidden = !on;
      if (on) {
        prechat.hide();
        asking = false;
      }
      composer.el.hidden = on || asking;
    },
    /** on: the conversation is resolved; rate: "ask" | "thanks" | "off". */
    setResolved(on, rate) {
      done.hidden = !on;
      rating.show(on ? rate || "off" : "off");
      if (on) list.scrollToEnd();
    },
    setUnread: (count) => shell.setUnread(count),
    isOpen: () => open,
    setOpen(next) {
      if (next === open) return;
      open = next;
      shell.setOpen(open);
      clearTimeout(hideTimer);
      if (open) {
        panel.hidden = false;
        stopViewport = followViewport(panel);
        composer.resize();
        list.scrollToEnd();
        void panel.offsetWidth; // start the transition from the closed state
        panel.classList.add("in");
        composer.focus();
        list.checkTop();
      } else {
        const hadFocus = root.activeElement && panel.contains(root.activeElement);
        panel.classList.remove("in");
        stopViewport();
        hideTimer = setTimeout(() => (panel.hidden = true), 240);
        if (hadFocus) shell.button.focus({ preventScroll: true });
      }
    },
    destroy() {
      stopViewport();
      shell.destroy();
    },
  };
}
