// Country flags and the signals agents should notice: a browser clock that disagrees
// with where the address is, and a browser that says a program is driving it.
import { h } from "./dom.js";

let flagGlyphs = null;

/**
 * Whether this system draws flag emoji (Windows and some Linux systems draw two letters
 * or empty boxes instead): a French flag drawn on a canvas has colour in it.
 */
export function drawsFlags() {
  if (flagGlyphs !== null) return flagGlyphs;
  flagGlyphs = false;
  try {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 24;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.font = "20px sans-serif";
    ctx.textBaseline = "top";
    ctx.fillText("\u{1F1EB}\u{1F1F7}", 0, 0);
    const px = ctx.getImageData(0, 0, 24, 24).data;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 60) {
        flagGlyphs = true;
        break;
      }
    }
  } catch {
    /* no canvas: codes only */
  }
  return flagGlyphs;
}

/** The flag emoji (where the system draws them) and the ISO code beside it. */
export function countryChip(geo) {
  const g = geo || {};
  const code = g.country_code || "";
  if (!code) return h("span", { class: "vx-country vx-country--none", "aria-hidden": "true" }, g.private ? "LAN" : "··");
  return h(
    "span",
    { class: "vx-country", title: g.country || code },
    g.flag && drawsFlags() ? h("span", { class: "vx-country-flag", "aria-hidden": "true" }, g.flag) : null,
    h("span", { class: "vx-country-code" }, code),
  );
}

const HOURS = (n) => `${n > 0 ? "+" : ""}${Number.isInteger(n) ? n : n.toFixed(1)} h`;

/** [{kind, label, title}] for VisitorSummary.flags. */
export function signals(flags) {
  const f = flags || {};
  const out = [];
  if (f.automated) {
    out.push({ kind: "bot", label: "Automated", title: `Looks automated: ${(f.automated.reasons || []).join(", ")}` });
  }
  const tz = f.time_zone_mismatch;
  if (tz) {
    out.push({
      kind: "tz",
      label: "Time zone ≠ location",
      title: `The browser's clock is set to ${tz.browser} (${HOURS(tz.hours || 0)} from ${tz.geo}, where the address is): a VPN, a proxy or a traveller.`,
    });
  }
  return out;
}

/** Small badges for the signals; an empty array when there is nothing to say. */
export function signalBadges(flags) {
  return signals(flags).map((s) => h("span", { class: `vx-signal vx-signal--${s.kind}`, title: s.title }, s.label));
}
