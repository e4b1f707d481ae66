// Short notices for failed actions (e.g. a chat that could not be started).
import { h, icon } from "./dom.js";

let region = null;

export function toast(message, { kind = "error", ms = 5000 } = {}) {
  if (!region) {
    region = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  const item = h("div", { class: `toast toast--${kind}` }, icon(kind === "error" ? "alert" : "check", 15), h("span", {}, message));
  region.append(item);
  setTimeout(() => {
    item.classList.add("is-leaving");
    setTimeout(() => item.remove(), 300);
  }, ms);
}
