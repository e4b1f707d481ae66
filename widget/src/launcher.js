// The first thing a visitor sees: a host element with an open shadow root holding
// the launcher bubble and its unread badge. The chat panel (view.js) is added into
// the same shadow root when the chat chunk has loaded.

import { h, icon } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CHAT, CHEVRON_DOWN, HELP } from "./icons.js";
import { CSS } from "./styles.js";
import { themeVars } from "./theme.js";

export const HOST_ID = "porchlight-widget";

/**
 * @param {object} o
 * @param {() => void} o.onToggle   launcher clicked
 * @param {() => void} [o.onIntent] the pointer or focus reached the launcher (load ahead)
 * @param {(open: boolean) => void} [o.onOpen]  the panel opened or closed
 * @param {(count: number) => void} [o.onUnread] the unread count changed
 */
export function createLauncher({ onToggle, onIntent, onOpen, onUnread }) {
  const host = document.createElement(HOST_ID);
  host.id = HOST_ID;
  // Inline (CSSOM) styles outrank the page's ordinary rules for our host element.
  host.style.cssText = "position:fixed;top:0;left:0;width:0;height:0;z-index:2147483000;display:block";
  const root = host.attachShadow({ mode: "open" });

  const badge = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
  const text = h("span", { class: "lt" });
  const button = h(
    "button",
    { class: "launcher", type: "button", "aria-controls": "pl-panel", "aria-expanded": "false", onclick: () => onToggle() },
    icon(CHAT, "i-chat"),
    icon(CHEVRON_DOWN, "i-down"),
    badge,
    text,
  );
  if (onIntent) for (const name of ["pointerenter", "focus", "touchstart"]) button.addEventListener(name, onIntent, { once: true, passive: true });
  const wrap = h("div", { class: "pl" }, button);
  root.appendChild(wrap);

  let open = false;
  let unread = 0;

  function label() {
    let words = open ? t("Close chat") : t("Open chat");
    if (!open && unread) words += ", " + tn(unread, "{n} unread message", "{n} unread messages");
    button.setAttribute("aria-label", words);
  }

  const launcher = {
    host,
    root,
    wrap,
    button,
    /** Adds a stylesheet to the shadow root (constructable where the engine has it). */
    addStyles(css) {
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      } catch (_) {
        // Older engines: a <style> element inside the shadow root.
        root.insertBefore(h("style", null, css), wrap);
      }
    },
    mount() {
      if (!host.isConnected) document.body.appendChild(host);
    },
    setSettings(s) {
      wrap.setAttribute("lang", s.language || "en");
      for (const [name, value] of Object.entries(themeVars(s.color))) wrap.style.setProperty(name, value);
      wrap.classList.toggle("left", s.position === "left");
      const help = s.launcher_icon == "help";
      button.replaceChild(icon(help ? HELP : CHAT, help ? "i-chat i-help" : "i-chat"), button.firstChild);
      text.textContent = s.launcher_text;
      button.classList.toggle("wide", !!s.launcher_text);
      label();
    },
    setUnread(count) {
      if (count !== unread && onUnread) onUnread(count);
      unread = count;
      badge.hidden = !count;
      badge.textContent = count > 99 ? "99+" : String(count);
      label();
    },
    unread: () => unread,
    /** Porchlight('hide') / ('show'): the page has its own button; the panel still opens. */
    setHidden(on) {
      button.style.display = on ? "none" : "";
    },
    isOpen: () => open,
    setOpen(next) {
      if (next !== open && onOpen) onOpen(next);
      open = next;
      wrap.classList.toggle("open", open);
      button.setAttribute("aria-expanded", String(open));
      label();
    },
    destroy() {
      host.remove();
    },
  };
  launcher.addStyles(CSS);
  label();
  return launcher;
}
