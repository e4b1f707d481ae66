// Presence in the dashboard: this agent's own status (online / away, by hand
// or after a while without activity in any of their tabs), who else is viewing
// the open conversation, and "delivered" receipts for visitors' messages.
import { h, setText } from "./dom.js";

export const AWAY_AFTER_MS = 10 * 60_000;
const ACTIVITY_KEY = "porchlight:activity";
const CHECK_MS = 30_000;
const STATUS_TEXT = { online: "Online", away: "Away" };

function readShared() {
  try {
    return Number(localStorage.getItem(ACTIVITY_KEY)) || 0;
  } catch {
    return 0;
  }
}

function writeShared(now) {
  try {
    localStorage.setItem(ACTIVITY_KEY, String(now));
  } catch {
    /* storage may be unavailable: this tab decides alone */
  }
}

export function createPresence({ socket, store, request, awayAfterMs = AWAY_AFTER_MS }) {
  const ownId = () => String((store.state.agent || {}).id);
  let status = "online";
  let lastActivity = Date.now();
  let lastWritten = 0;
  let lastAutoBack = 0;
  let queue = Promise.resolve();

  // ---- own status: a button under the agent's name in the rail

  const dot = h("span", { class: "status-dot" });
  const label = h("span", { class: "status-label" });
  const button = h(
    "button",
    { class: "status-btn", type: "button", title: "Set yourself away or online", onclick: () => choose(status === "online" ? "away" : "online") },
    dot,
    label,
  );
  const slot = document.querySelector(".me-text");
  if (slot) slot.append(button);

  function show(next) {
    status = next === "away" ? "away" : "online";
    button.dataset.status = status;
    setText(label, STATUS_TEXT[status]);
    button.setAttribute("aria-label", `Your status: ${STATUS_TEXT[status]}. Change it`);
  }
  show("online");

  /** One request at a time, in order: a click never loses to an automatic change. */
  function choose(next, auto = false) {
    queue = queue.then(async () => {
      if (!socket.connected) return;
      const ack = await request("set_status", { status: next, auto });
      if (ack.ok) show(ack.status);
    });
    return queue;
  }

  socket.on("session", (s) => s && s.status && show(s.status));
  socket.on("agent_status", (e) => e && e.agent && String(e.agent.id) === ownId() && e.status !== "offline" && show(e.status));

  // ---- away after inactivity in every tab of this agent; back on activity

  function activity(ev) {
    const now = Date.now();
    lastActivity = now;
    if (now - lastWritten > 5000) {
      lastWritten = now;
      writeShared(now);
    }
    if (ev && button.contains(ev.target)) return; // the click on the status decides
    // Back from away for inactivity; the server keeps an away set by hand.
    if (status === "away" && now - lastAutoBack > 30_000) {
      lastAutoBack = now;
      choose("online", true);
    }
  }
  for (const name of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  }
  let moved = 0;
  document.addEventListener("pointermove", () => {
    if (Date.now() - moved > 5000) {
      moved = Date.now();
      activity();
    }
  }, { passive: true });

  setInterval(() => {
    const newest = Math.max(lastActivity, readShared());
    if (status === "online" && Date.now() - newest > awayAfterMs) choose("away", true);
  }, Math.min(CHECK_MS, awayAfterMs));

  // ---- who else is viewing which conversation

  const viewers = new Map(); // conversation id → Map(agent id → {id, name})
  const peerListeners = new Set();
  let viewingId = null;

  function setViewers(conversationId, list) {
    const here = new Map();
    for (const a of list || []) if (a && String(a.id) !== ownId()) here.set(String(a.id), a);
    viewers.set(conversationId, here);
    for (const fn of peerListeners) fn(conversationId);
  }

  async function view(conversationId) {
    if (viewingId && viewingId !== conversationId && socket.connected) socket.emit("stop_viewing", {});
    viewingId = conversationId;
    if (!conversationId || !socket.connected) return;
    const ack = await request("viewing", { conversation_id: conversationId });
    if (ack.ok && viewingId === conversationId) setViewers(conversationId, ack.viewers);
  }

  store.on("open", (id) => view(id || null));
  socket.on("connect", () => viewingId && view(viewingId));
  socket.on("agent_viewing", (e) => {
    if (!e || !e.agent || String(e.agent.id) === ownId()) return;
    const here = viewers.get(e.conversation_id) || new Map();
    if (e.viewing) here.set(String(e.agent.id), e.agent);
    else here.delete(String(e.agent.id));
    setViewers(e.conversation_id, [...here.values()]);
  });

  // ---- delivered: visitors' messages reached this dashboard

  const deliver = (conversationId, upTo) =>
    socket.connected && socket.emit("delivered", { conversation_id: conversationId, up_to: upTo });
  store.on("message", (m) => m && m.id && m.author && m.author.kind === "visitor" && deliver(m.conversation_id, m.id));
  store.on("history", (conversationId, messages) => {
    let newest = null;
    for (const m of messages || []) if (m.author && m.author.kind === "visitor" && m.status === "sent") newest = m.id;
    if (newest) deliver(conversationId, newest);
  });
  socket.on("delivered", (r) => r && r.conversation_id && store.emit("delivered", r));

  return {
    status: () => status,
    /** A line for the chat header: "Ana is viewing". */
    createPeers() {
      const el = h("span", { class: "chat-peers", hidden: true });
      let conversationId = null;
      function paint() {
        const names = [...(viewers.get(conversationId) || new Map()).values()].map((a) => a.name || "An agent");
        el.hidden = names.length === 0;
        setText(el, names.length ? `${names.join(", ")} ${names.length === 1 ? "is" : "are"} viewing` : "");
      }
      peerListeners.add((id) => id === conversationId && paint());
      return {
        el,
        follow(id) {
          conversationId = id;
          paint();
        },
      };
    },
  };
}
