// Connection banner: shown while the socket is down, briefly after it is back.
import { h, icon, setText } from "./dom.js";

export function createBanner({ el, store }) {
  const text = h("span", { class: "banner-text" });
  const glyph = h("span", { class: "banner-icon" });
  el.append(glyph, text);
  let wasDown = false;
  let hideTimer = 0;

  function show(kind, message, iconName) {
    clearTimeout(hideTimer);
    el.className = `banner banner--${kind}`;
    glyph.replaceChildren(iconName ? icon(iconName, 15) : h("span", { class: "spinner spinner--small" }));
    setText(text, message);
    el.hidden = false;
  }

  store.on("connection", (status, info) => {
    if (status === "connected") {
      if (wasDown) {
        show("ok", "Back online — everything is up to date.", "check");
        hideTimer = setTimeout(() => (el.hidden = true), 2500);
      } else el.hidden = true;
      wasDown = false;
    } else if (status === "reconnecting") {
      wasDown = true;
      const attempt = info.attempt > 1 ? ` (attempt ${info.attempt})` : "";
      if (info.initial) show("warn", `Can’t reach Porchlight yet. Retrying…${attempt}`);
      else show("warn", `Connection lost. Reconnecting…${attempt} New messages will appear when you’re back.`);
    } else if (status === "refused") {
      wasDown = true;
      show("error", `The server refused the connection${info.message ? `: ${info.message}` : ""}. Retrying…`, "wifiOff");
    }
  });
}
