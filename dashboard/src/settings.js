// This agent's alert settings, kept on the server (GET/PUT /api/v1/me/settings)
// so every browser they sign in from behaves the same, and the popover that
// edits them (a bell button at the bottom of the rail).
import { h, icon } from "./dom.js";

export const DEFAULT_SETTINGS = {
  sounds: { arrival: "beep", message: "beep", volume: 0.7 },
  notifications: true,
  email: "all",
};
const EMAIL_MODES = [
  ["all", "Every visitor message"],
  ["assigned", "Only my assigned conversations"],
  ["off", "Never"],
];
const MODES = [
  ["continuous", "Continuous"],
  ["beep", "Single beep"],
  ["off", "Off"],
];

// Writes carry the page's CSRF token, as every cookie-authenticated write does.
function csrfHeader() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? { "X-CSRF-Token": meta.content } : {};
}

async function call(method, body) {
  try {
    const response = await fetch("/api/v1/me/settings", {
      method,
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json", ...csrfHeader() } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return await response.json();
  } catch {
    return { ok: false, error: "No answer from the server." };
  }
}

/** The settings, loaded once; get() answers the defaults until they arrive. */
export function createSettings() {
  let current = structuredClone(DEFAULT_SETTINGS);
  const listeners = new Set();
  const changed = () => listeners.forEach((fn) => fn(current));

  const loaded = call("GET").then((ack) => {
    if (ack.ok && ack.settings) {
      current = ack.settings;
      changed();
    }
  });

  return {
    get: () => current,
    loaded,
    on(fn) {
      listeners.add(fn);
    },
    /** Save a partial change; resolves to the ack. */
    async save(patch) {
      const ack = await call("PUT", patch);
      if (ack.ok) {
        current = ack.settings;
        changed();
      }
      return ack;
    },
  };
}

function bell() {
  const svg = icon("bell", 18);
  for (const d of ["M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10.3 21a1.94 1.94 0 0 0 3.4 0"]) {
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** The bell button and its popover, placed in the rail's footer. */
export function createSettingsPopover({ settings, sound }) {
  const status = h("p", { class: "settings-status", role: "status" });
  const select = (kind, text) => {
    const el = h(
      "select",
      { class: "select", id: `sound-${kind}`, onchange: () => save({ sounds: { [kind]: el.value } }) },
      MODES.map(([value, label]) => h("option", { value }, label)),
    );
    return { el, row: h("label", { class: "settings-row", for: `sound-${kind}` }, h("span", {}, text), el) };
  };
  const arrival = select("arrival", "A visitor arrives");
  const message = select("message", "A visitor writes");
  const volume = h("input", {
    type: "range",
    min: "0",
    max: "1",
    step: "0.05",
    id: "sound-volume",
    onchange: () => save({ sounds: { volume: Number(volume.value) } }),
  });
  const notifications = h("input", {
    type: "checkbox",
    id: "desktop-notifications",
    onchange: () => {
      if (notifications.checked && "Notification" in window && Notification.permission === "default") {
        Notification.requestPermission().catch(() => {});
      }
      save({ notifications: notifications.checked });
    },
  });
  const email = h(
    "select",
    { class: "select", id: "email-alerts", onchange: () => save({ email: email.value }) },
    EMAIL_MODES.map(([value, label]) => h("option", { value }, label)),
  );
  const panel = h(
    "div",
    { class: "settings-pop", id: "alert-settings", role: "dialog", "aria-label": "Alerts", hidden: true },
    h("h2", { class: "settings-title" }, "Alerts"),
    arrival.row,
    message.row,
    h("label", { class: "settings-row", for: "sound-volume" }, h("span", {}, "Volume"), volume),
    h(
      "div",
      { class: "settings-actions" },
      h("button", { class: "btn btn-secondary", type: "button", onclick: () => sound.test("arrival") }, "Play arrival"),
      h("button", { class: "btn btn-secondary", type: "button", onclick: () => sound.test("message") }, "Play message"),
    ),
    h("label", { class: "settings-check", for: "desktop-notifications" }, notifications, "Desktop notifications while this tab is hidden"),
    h("label", { class: "settings-row", for: "email-alerts" }, h("span", {}, "E-mail me while nobody of the team is online"), email),
    status,
  );
  const button = h(
    "button",
    {
      class: "icon-btn",
      type: "button",
      title: "Alerts and sounds",
      "aria-label": "Alerts and sounds",
      "aria-expanded": "false",
      "aria-controls": "alert-settings",
      onclick: () => toggle(),
    },
    bell(),
  );

  function paint(s) {
    arrival.el.value = s.sounds.arrival;
    message.el.value = s.sounds.message;
    volume.value = String(s.sounds.volume);
    notifications.checked = s.notifications;
    email.value = s.email || "all";
  }

  async function save(patch) {
    status.textContent = "Saving…";
    const ack = await settings.save(patch);
    status.textContent = ack.ok ? "Saved" : ack.error || "Couldn’t save.";
    if (!ack.ok) paint(settings.get());
  }

  function toggle(open = panel.hidden) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      status.textContent = "";
      paint(settings.get());
    }
  }

  document.addEventListener("pointerdown", (ev) => {
    if (!panel.hidden && !panel.contains(ev.target) && !button.contains(ev.target)) toggle(false);
  });
  document.addEventListener("keydown", (ev) => ev.key === "Escape" && !panel.hidden && toggle(false));
  settings.on(paint);
  paint(settings.get());

  const foot = document.querySelector(".rail-foot");
  if (foot) foot.insertBefore(h("div", { class: "settings-anchor" }, button, panel), foot.querySelector("form"));
  return { toggle };
}
