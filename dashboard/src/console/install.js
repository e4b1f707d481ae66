// "Check installation": asks the server when a widget of this site last
// connected, and from which origin, without reloading the page.
import { call } from "./api.js";
import { ago } from "./common.js";

export function setupInstall(root, siteId) {
  const box = document.getElementById("install-status");
  const text = document.getElementById("install-text");
  const button = document.getElementById("check-install");
  if (!box || !text || !button) return;

  function show(lastSeen) {
    box.classList.toggle("is-seen", !!lastSeen);
    box.classList.toggle("is-unseen", !lastSeen);
    text.textContent = "";
    if (!lastSeen) {
      text.append("No widget has connected yet. Open a page of your website that has the snippet, then check again.");
      return;
    }
    const origin = document.createElement("strong");
    origin.textContent = lastSeen.origin;
    const when = document.createElement("time");
    when.dateTime = lastSeen.at;
    when.textContent = ago(lastSeen.at);
    when.title = lastSeen.at;
    text.append("Last seen from ", origin, " ", when);
  }

  async function check(ev) {
    if (ev) ev.preventDefault();
    button.setAttribute("aria-busy", "true");
    button.textContent = "Checking…";
    const answer = await call("GET", `/api/v1/sites/${siteId}/installation`);
    button.removeAttribute("aria-busy");
    button.textContent = "Check again";
    if (answer.ok) show(answer.last_seen);
    else text.textContent = answer.error || "Could not check.";
  }

  button.addEventListener("click", check);
  show(box.dataset.at ? { origin: box.querySelector("strong")?.textContent || "", at: box.dataset.at } : null);
}
