// A conversation turns missed by itself, when it has waited its site's missed time with no
// reply: nothing is said on the socket at that moment. The dashboard knows each loaded
// conversation's waiting_since, so it wakes at the next such moment, repaints the rows
// ("missed" topic) and asks the server for the counts again (the server counts also the
// conversations this view has not loaded; a slow fallback asks for those now and then).
import { isMissed } from "./store.js";

const FALLBACK_MS = 60_000;
const SLACK_MS = 250; // wake just after the moment, not just before it

/** The epoch ms at which the next loaded, not yet missed conversation becomes missed. */
export function nextMissedAt(conversations, minutesOf, now = Date.now()) {
  let next = null;
  for (const c of conversations) {
    if (c.status !== "open" || !c.waiting_since) continue;
    const minutes = minutesOf(c.site_id);
    if (isMissed(c, minutes, now)) continue;
    const at = Date.parse(c.waiting_since) + minutes * 60_000;
    if (Number.isFinite(at) && (next == null || at < next)) next = at;
  }
  return next;
}

export function createMissedClock({ store, sync }) {
  let timer = 0;

  function schedule() {
    clearTimeout(timer);
    const at = nextMissedAt(store.state.conversations.values(), (siteId) => store.missedMinutes(siteId));
    const wait = at == null ? FALLBACK_MS : Math.min(Math.max(at - Date.now(), 0) + SLACK_MS, FALLBACK_MS);
    timer = setTimeout(tick, wait);
  }

  function tick() {
    store.emit("missed");
    sync.refreshCounts();
    // The Missed view gains the conversations that just crossed: load it again.
    if (store.state.inbox.view === "missed") sync.loadConversations();
    schedule();
  }

  store.on("conversations", schedule);
  store.on("conversation", schedule);
  store.on("desk", schedule);
  schedule();
}
