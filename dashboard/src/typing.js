// Typing previews in the dashboard: what visitors are typing right now
// (ghost text in the open conversation, one line in the inbox and visitors
// rows), which other agents are typing where, and this agent's own typing
// sent to the visitor with the same pacing as the widget.
import { h, setText } from "./dom.js";

const GAP_MS = 100; // a preview at most every 100 ms, 100 ms after a keystroke
const QUIET_MS = 3000; // no keystroke for this long: stopped typing
const STALE_MS = 8000; // a preview nobody cleared (lost connection) fades out
const MAX_CHARS = 1000;

/**
 * Who is typing what, fed by the socket. Keys: visitor id for visitors,
 * conversation id for agents.
 * on(fn): fn(change) with change {kind: "visitor", visitorId} or {kind: "agent", conversationId}.
 */
export function createTypingState({ socket, store }) {
  const visitors = new Map(); // visitor id → {text, conversationId, siteId, timer}
  const agents = new Map(); // conversation id → Map(agent id → {id, name})
  const listeners = new Set();
  const ownId = () => String((store.state.agent || {}).id);

  function emit(change) {
    for (const fn of listeners) fn(change);
  }

  function clearVisitor(visitorId) {
    const entry = visitors.get(visitorId);
    if (!entry) return;
    clearTimeout(entry.timer);
    visitors.delete(visitorId);
    emit({ kind: "visitor", visitorId });
  }

  socket.on("visitor_typing_preview", (p) => {
    if (!p || !p.visitor_id || !store.inScope(p.site_id)) return;
    const prev = visitors.get(p.visitor_id);
    if (prev) clearTimeout(prev.timer);
    visitors.set(p.visitor_id, {
      text: typeof p.text === "string" ? p.text : null,
      conversationId: p.conversation_id || (prev && prev.conversationId) || null,
      siteId: p.site_id,
      timer: setTimeout(() => clearVisitor(p.visitor_id), STALE_MS),
    });
    emit({ kind: "visitor", visitorId: p.visitor_id });
  });
  socket.on("visitor_typing_cleared", (p) => p && clearVisitor(p.visitor_id));
  socket.on("visitor_left", (p) => p && clearVisitor(p.visitor_id));
  socket.on("disconnect", () => [...visitors.keys()].forEach(clearVisitor));
  // The message a preview was for has arrived: the ghost gives way to it.
  store.on("message", (m) => m.author && m.author.kind === "visitor" && clearVisitor(m.author.id));

  socket.on("agent_typing", (p) => {
    if (!p || !p.agent || String(p.agent.id) === ownId()) return;
    const here = agents.get(p.conversation_id) || new Map();
    if (p.typing) here.set(String(p.agent.id), p.agent);
    else here.delete(String(p.agent.id));
    agents.set(p.conversation_id, here);
    emit({ kind: "agent", conversationId: p.conversation_id });
  });

  return {
    on(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** {text, conversationId} while the visitor types (text null: previews are off), else null. */
    visitor: (visitorId) => (visitorId && visitors.get(visitorId)) || null,
    /** Other agents typing in the conversation. */
    agents: (conversationId) => [...((conversationId && agents.get(conversationId)) || new Map()).values()],
  };
}

/** The one-line preview for a list row: "✎ Hello wor…", or "typing…" when previews are off. */
export function typingLine() {
  return h("span", { class: "typing-line", hidden: true });
}

export function paintTypingLine(el, preview) {
  el.hidden = !preview;
  setText(el, preview ? preview.text || "typing…" : "");
  el.title = preview && preview.text ? preview.text : "";
}

/**
 * Ghost text under the open conversation's messages: the visitor's draft with a
 * blinking caret ("Hello|" → "Hello World|"), gone when the message arrives.
 */
export function createGhost({ typing, keepBottom }) {
  const text = h("span", { class: "ghost-text" });
  const label = h("div", { class: "ghost-label" });
  const el = h(
    "div",
    { class: "ghost", hidden: true, "aria-live": "off" },
    label,
    h("div", { class: "bubble ghost-bubble" }, text, h("span", { class: "ghost-caret", "aria-hidden": "true" })),
  );
  const others = h("div", { class: "ghost-agents", role: "status", hidden: true });
  let visitorId = null;
  let conversationId = null;
  let visitorName = "";

  function render() {
    const preview = typing.visitor(visitorId);
    const show = Boolean(preview && (!preview.conversationId || preview.conversationId === conversationId));
    el.hidden = !show;
    if (show) {
      setText(label, `${visitorName || "The visitor"} is typing…`);
      setText(text, preview.text || "");
      el.classList.toggle("is-wordless", !preview.text);
    }
    const names = typing.agents(conversationId).map((a) => a.name || "An agent");
    others.hidden = names.length === 0;
    setText(others, names.length ? `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…` : "");
  }
  const paint = () => keepBottom(render);

  typing.on((change) => {
    if (change.kind === "visitor" ? change.visitorId === visitorId : change.conversationId === conversationId) paint();
  });

  return {
    el,
    others,
    /** Follow the open conversation (null when none is open). */
    follow(nextConversationId, nextVisitorId, name) {
      conversationId = nextConversationId;
      visitorId = nextVisitorId;
      visitorName = name || "";
      paint();
    },
  };
}

/**
 * This agent's typing, sent as `typing_preview {conversation_id, text, seq}`
 * after a keystroke (at most 10 a second), and `stop_typing_preview` on blur,
 * on an emptied box, after 3 s without typing, and when the conversation changes.
 */
export function attachTypingSender({ textarea, socket, conversationId }) {
  let seq = 0;
  let timer = 0;
  let quiet = 0;
  let last = 0;
  let typingIn = null; // the conversation a preview went to, until stopped

  function stop() {
    clearTimeout(timer);
    clearTimeout(quiet);
    timer = 0;
    if (typingIn && socket.connected) socket.emit("stop_typing_preview", { conversation_id: typingIn });
    typingIn = null;
  }

  function flush() {
    timer = 0;
    const id = conversationId();
    const text = textarea.value;
    if (!id || !text.trim()) return stop();
    const wait = last + GAP_MS - Date.now();
    if (wait > 0) {
      timer = setTimeout(flush, wait);
      return;
    }
    if (typingIn && typingIn !== id) stop();
    last = Date.now();
    typingIn = id;
    if (socket.connected) socket.volatile.emit("typing_preview", { conversation_id: id, text: text.slice(-MAX_CHARS), seq: ++seq });
  }

  textarea.addEventListener("input", () => {
    clearTimeout(quiet);
    if (!textarea.value.trim()) return stop();
    quiet = setTimeout(stop, QUIET_MS);
    if (!timer) timer = setTimeout(flush, GAP_MS);
  });
  // Later than the blur itself: a click on Send blurs the box just before the
  // message goes out, and the server clears the preview with the message.
  textarea.addEventListener("blur", () => {
    clearTimeout(timer);
    timer = setTimeout(stop, 300);
  });
  textarea.form?.addEventListener("submit", () => {
    typingIn = null;
    clearTimeout(timer);
    clearTimeout(quiet);
    timer = 0;
  });

  return {
    /** The message was sent: the server already cleared the preview with it. */
    sent() {
      typingIn = null;
      clearTimeout(timer);
      clearTimeout(quiet);
      timer = 0;
    },
    stop,
  };
}
