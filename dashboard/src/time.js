// Time formatting and one shared ticker that keeps relative times and
// durations on screen fresh without re-rendering anything.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const clockFmt = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const longDayFmt = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "short", day: "numeric" });
const monthDayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const fullDateFmt = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function toMs(iso) {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

function startOfDay(ms) {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function daysAgo(ms, now) {
  return Math.round((startOfDay(now) - startOfDay(ms)) / DAY);
}

/** Compact "now", "5m", "3h", "Yesterday", "Mon", "Nov 3" for list rows. */
export function relative(iso, now = Date.now()) {
  const ms = toMs(iso);
  if (ms == null) return "";
  const diff = Math.max(0, now - ms);
  if (diff < 45_000) return "now";
  if (diff < HOUR) return `${Math.max(1, Math.round(diff / MINUTE))}m`;
  const days = daysAgo(ms, now);
  if (days === 0) return `${Math.floor(diff / HOUR)}h`;
  if (days === 1) return "Yesterday";
  if (days < 7) return weekdayFmt.format(ms);
  if (new Date(ms).getFullYear() === new Date(now).getFullYear()) return monthDayFmt.format(ms);
  return fullDateFmt.format(ms);
}

/** "14:03" / "2:03 PM" in the agent's locale. */
export function clock(iso) {
  const ms = toMs(iso);
  return ms == null ? "" : clockFmt.format(ms);
}

export function fullDate(iso) {
  const ms = toMs(iso);
  return ms == null ? "" : fullFmt.format(ms);
}

/** Day separator label: "Today", "Yesterday", "Monday, Nov 3". */
export function dayLabel(iso, now = Date.now()) {
  const ms = toMs(iso);
  if (ms == null) return "";
  const days = daysAgo(ms, now);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (new Date(ms).getFullYear() === new Date(now).getFullYear()) return longDayFmt.format(ms);
  return fullDateFmt.format(ms);
}

export function sameDay(a, b) {
  const x = toMs(a);
  const y = toMs(b);
  return x != null && y != null && startOfDay(x) === startOfDay(y);
}

/** "45s", "3m 12s", "1h 04m". */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, "0")}m`;
}

/**
 * Mark an element as live: data-rel="<iso>" shows relative(iso),
 * data-since="<iso>" shows the duration since iso. The ticker refreshes them.
 */
export function liveRelative(el, iso) {
  el.dataset.rel = iso || "";
  el.textContent = relative(iso);
  const ms = toMs(iso);
  if (ms != null) {
    el.setAttribute("datetime", iso);
    el.title = fullDate(iso);
  }
  return el;
}

export function liveSince(el, iso) {
  el.dataset.since = iso || "";
  const ms = toMs(iso);
  el.textContent = ms == null ? "—" : duration(Date.now() - ms);
  return el;
}

let ticks = 0;
function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll("[data-since]")) {
    const ms = toMs(el.dataset.since);
    const text = ms == null ? "—" : duration(now - ms);
    if (el.textContent !== text) el.textContent = text;
  }
  if (ticks++ % 20 === 0) {
    for (const el of document.querySelectorAll("[data-rel]")) {
      const text = relative(el.dataset.rel, now);
      if (el.textContent !== text) el.textContent = text;
    }
  }
}

export function startTicker() {
  setInterval(tick, 1000);
}
