// A full-size view of an image, over the dashboard: a modal dialog whose
// focus stays inside (the app behind is inert), Escape / the close button /
// a click beside the image closes it, and focus returns to the thumbnail.
import { h, icon } from "./dom.js";

export function openLightbox({ src, alt, caption, opener }) {
  const app = document.getElementById("app");
  const closeBtn = h("button", { class: "lightbox-btn", type: "button", "aria-label": "Close image", title: "Close (Esc)", onclick: close }, icon("x", 20));
  const original = h("a", { class: "lightbox-btn lightbox-open", href: src, target: "_blank", rel: "noopener noreferrer" }, icon("link", 16), "Open original");
  const box = h(
    "div",
    { class: "lightbox", role: "dialog", "aria-modal": "true", "aria-label": alt },
    h("div", { class: "lightbox-bar" }, h("span", { class: "lightbox-caption" }, caption || ""), original, closeBtn),
    h("div", { class: "lightbox-stage" }, h("img", { class: "lightbox-img", src, alt })),
  );

  function onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Tab") {
      const order = [original, closeBtn];
      const at = order.indexOf(document.activeElement);
      event.preventDefault();
      order[(at + (event.shiftKey ? order.length - 1 : 1)) % order.length].focus();
    }
  }

  function close() {
    document.removeEventListener("keydown", onKey, true);
    box.remove();
    if (app) app.inert = false;
    if (opener && opener.isConnected) opener.focus();
  }

  box.addEventListener("click", (event) => {
    if (event.target === box || event.target.classList.contains("lightbox-stage")) close();
  });
  document.addEventListener("keydown", onKey, true);
  document.body.append(box);
  if (app) app.inert = true;
  closeBtn.focus();
  return close;
}
