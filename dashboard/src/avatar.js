// Initials avatar with a stable colour and an optional presence dot.
import { h, setText } from "./dom.js";
import { hue, initials } from "./text.js";

export function avatar({ id, name, online, size = "md" }) {
  const el = h("span", { class: `avatar avatar--${size}`, "aria-hidden": "true" });
  el.append(h("span", { class: "avatar-text" }), h("span", { class: "presence" }));
  updateAvatar(el, { id, name, online });
  return el;
}

export function updateAvatar(el, { id, name, online }) {
  el.style.setProperty("--avatar-hue", String(hue(id)));
  setText(el.firstChild, initials(name));
  el.classList.toggle("is-online", online === true);
  el.classList.toggle("has-presence", online != null);
}
