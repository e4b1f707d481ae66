// The widget's DOM: a host element with an open shadow root holding the
// launcher bubble and the chat panel (header, banners, messages, composer).
// It renders state it is given and reports what the visitor does; it keeps
// no chat state of its own.

import { createComposer } from "./composer.js";
import { h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { CHAT, CHEVRON_DOWN, CLOSE, HELP } from "./icons.js";
import { createMessageList } from "./messages.js";
import { createPrechat } from "./prechat.js";
import { CSS } from "./styles.js";
import { themeVars } from "./theme.js";
import { followViewport } from "./viewport.js";

export const HOST_ID = "porchlight-widget";
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

function adoptStyles(root) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (_) {
    // Older engines: a <style> element inside the shadow root.
    root.appendChild(h("style", null, CSS));
  }
}

/**
 * @param {object} o
 * @param {string} o.origin
 * @param {() => void} o.onToggle       launcher clicked
 * @param {() => void} o.onClose        close button or Escape
 * @param {(text: string) => void} o.onSend
 * @param {() => void} o.onNearTop      scrolled to the top of the list
 * @param {(text: string) => void} [o.onDraft]   composer text changed
 */
export function createView({ origin, onToggle, onClose, onSend, onNearTop, onDraft, attach, onPrechat, onAct, onStartNew }) {
  const host = document.createElement(HOST_ID);
  host.id = HOST_ID;
  // Inline (CSSOM) styles outrank the page's ordinary rules for our host element.
  host.style.cssText = "position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000;display:block";
  const root = host.attachShadow({ mode: "open" });
  adoptStyles(root);

  const list = createMessageList({ origin, onNearTop, onAct: (a, m) => (a == "delete" ? onAct(a, m) : composer.about(a, m)) });
  const composer = createComposer({ onSubmit: onSend, onInput: onDraft, attach });
  const prechat = createPrechat((data) => onPrechat && onPrechat(data));
  const lock = h("div", { class: "away", role: "status", hidden: true }, t("Please sign in on this website to chat with us."));
  // After an agent resolved the conversation: writing on reopens it; the button starts afresh.
  const done = h(
    "div",
    { class: "done", role: "status", hidden: true },
    h("span", {}, t("This conversation has been resolved.")),
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

  const badge = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
  const launcher = h(
    "button",
    { class: "launcher", type: "button", "aria-controls": "pl-panel", "aria-expanded": "false", onclick: () => onToggle() },
    icon(CHAT, "i-chat"),
    icon(CHEVRON_DOWN, "i-down"),
    badge,
  );
  const launcherText = h("span", { class: "lt" });
  launcher.appendChild(launcherText);
  const wrap = h("div", { class: "pl" }, panel, launcher);
  root.appendChild(wrap);
  if (attach) attach.mount(panel, composer.el, list.el, wrap);

  wrap.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && open) {
      ev.stopPropagation();
      onClose();
    }
  });

  let open = false;
  let locked = false;
  let asking = false;
  let unread = 0;
  let hideTimer = 0;
  let stopViewport = () => {};

  function labelLauncher() {
    let label = open ? t("Close chat") : t("Open chat");
    if (!open && unread) label += ", " + unread + " unread " + (unread === 1 ? "message" : "messages");
    launcher.setAttribute("aria-label", label);
  }
  labelLauncher();

  return {
    host,
    list,
    mount() {
      document.body.appendChild(host);
    },
    setSettings(s) {
      wrap.setAttribute("lang", s.language || "en");
      for (const [name, value] of Object.entries(themeVars(s.color))) wrap.style.setProperty(name, value);
      wrap.classList.toggle("left", s.position === "left");
      title.textContent = s.team_name;
      face(logo, s.avatar_url, s.team_name);
      away.textContent = s.offline_message;
      panel.setAttribute("aria-label", "Chat with " + s.team_name);
      list.setGreeting(s.greeting, s.team_name);
      const help = s.launcher_icon == "help";
      launcher.replaceChild(icon(help ? HELP : CHAT, help ? "i-chat i-help" : "i-chat"), launcher.firstChild);
      launcherText.textContent = s.launcher_text;
      launcher.classList.toggle("wide", !!s.launcher_text);
      labelLauncher();
    },
    setAgentsOnline(on) {
      head.classList.toggle("online", on);
      status.textContent = on ? t("Online now") : t("Away right now");
      away.hidden = on;
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
    setResolved(on) {
      done.hidden = !on;
      if (on) list.scrollToEnd();
    },
    setUnread(count) {
      unread = count;
      badge.hidden = !count;
      badge.textContent = count > 99 ? "99+" : String(count);
      labelLauncher();
    },
    isOpen: () => open,
    setOpen(next) {
      if (next === open) return;
      open = next;
      wrap.classList.toggle("open", open);
      launcher.setAttribute("aria-expanded", String(open));
      labelLauncher();
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
        if (hadFocus) launcher.focus({ preventScroll: true });
      }
    },
    destroy() {
      stopViewport();
      host.remove();
    },
  };
}
