// Images in the conversation open full size over the page: Escape, the close
// button or a click beside the image closes it; focus stays on the close
// button while it is open and goes back to the thumbnail afterwards.
// Ctrl/Cmd/Shift-click and middle-click still open a new tab, as links do.

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { CLOSE } from "./icons.js";

export function openImagesIn(list, layer) {
  list.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest("a.att");
    if (!link || e.button || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    const alt = link.firstChild.alt; // messages.js: <a class="att"><img alt="Image from …">
    const close = () => {
      box.remove();
      link.focus();
    };
    const x = h("button", { class: "x", type: "button", "aria-label": t("Close image"), onclick: close }, icon(CLOSE));
    const box = h("div", { class: "lb", role: "dialog", "aria-modal": "true", "aria-label": alt }, h("img", { src: link.href, alt }), x);
    box.onclick = (ev) => ev.target == box && close();
    box.onkeydown = (ev) => {
      if (ev.key != "Escape" && ev.key != "Tab") return;
      ev.preventDefault();
      ev.stopPropagation(); // Escape closes the image, not the chat
      if (ev.key == "Tab") x.focus(); // the close button is all there is to focus
      else close();
    };
    layer.appendChild(box);
    x.focus();
  });
}
