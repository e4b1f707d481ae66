// Where the widget comes from and how it looks: the script tag's own
// attributes, and the site's widget settings sanitised for use in CSS and text.

import { consoleSettings } from "./settings.js";

export const DEFAULTS = {
  color: "#2563eb",
  position: "right",
  greeting: "Hi there! How can we help?",
  team_name: "Support",
  offline_message: "We're away right now. Leave a message and we'll get back to you.",
};

/** The running script tag. `currentScript` is set for async classic scripts too. */
export function findTag() {
  const tag = document.currentScript;
  if (tag && tag.src && tag.getAttribute("data-site")) return tag;
  // Fallback for environments that evaluate the file outside of a <script> run.
  return document.querySelector("script[data-site][src*='widget']");
}

/** {siteKey, origin, nonce} from the tag, or null when the tag is unusable. */
export function readTag(tag) {
  if (!tag) return null;
  const siteKey = (tag.getAttribute("data-site") || "").trim();
  let origin = "";
  try {
    origin = new URL(tag.src, location.href).origin;
  } catch (_) {
    return null;
  }
  if (!siteKey || !/^https?:/.test(origin)) return null;
  // The chat chunk's <script> carries the same CSP nonce (a page with strict-dynamic needs none).
  return { siteKey, origin, nonce: tag.nonce || "" };
}

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function text(value, fallback, max) {
  return typeof value === "string" && value.trim() ? value.slice(0, max) : fallback;
}

/** Site widget settings with the fields used in CSS and text checked. */
export function widgetSettings(raw, siteName) {
  const w = raw && typeof raw === "object" ? raw : {};
  return {
    ...consoleSettings(w),
    color: typeof w.color === "string" && HEX.test(w.color.trim()) ? w.color.trim() : DEFAULTS.color,
    position: w.position === "left" ? "left" : "right",
    greeting: text(w.greeting, DEFAULTS.greeting, 1000),
    team_name: text(w.team_name, text(siteName, DEFAULTS.team_name, 80), 80),
    offline_message: text(w.offline_message, DEFAULTS.offline_message, 1000),
    typing_preview: w.typing_preview !== false,
  };
}
