// Dates for people, in the visitor's own locale.

import { locale, t as tr } from "./i18n.js";

const GROUP_GAP = 5 * 60 * 1000;

export function timeOf(iso) {
  const t = Date.parse(iso);
  return isNaN(t) ? Date.now() : t;
}

export function clock(t) {
  return new Date(t).toLocaleTimeString(locale(), { hour: "numeric", minute: "2-digit" });
}

export function sameDay(a, b) {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

export function dayLabel(t) {
  const now = Date.now();
  if (sameDay(t, now)) return tr("Today");
  if (sameDay(t, now - 864e5)) return tr("Yesterday");
  const d = new Date(t);
  const opts = { weekday: "short", month: "short", day: "numeric" };
  if (d.getFullYear() !== new Date(now).getFullYear()) opts.year = "numeric";
  return d.toLocaleDateString(locale(), opts);
}

/** Two messages by the same author belong to one visual group when close in time. */
export function closeInTime(a, b) {
  return Math.abs(a - b) < GROUP_GAP && sameDay(a, b);
}
