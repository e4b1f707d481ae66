// The chat chunk's behaviour: ties the connection (opened by core.js), the outbox
// and the panel together and keeps the little state they share (open, unread,
// what has been marked read). core.js hands it the server's events in order.

import { createAttach } from "./attach.js";
import { createHours } from "./hours.js";
import { t } from "./i18n.js";
import { createOutbox, newClientId } from "./outbox.js";
import { createLive } from "./live.js";
import { createTyping } from "./typing.js";
import { createView } from "./view.js";

const HISTORY_PAGE = 30;

function warn(text) {
  console.warn("Porchlight: " + text);
}

/** @param {object} core  core.js's share: origin, store, conn(), launcher(), settings, ... */
export function startChat(core) {
  const { origin, store } = core;
  const conn = core.conn();
  const attach = createAttach({ origin, token: () => store.get("token") });
  const config = core.config();
  if (config && config.uploads) attach.max = config.uploads.max_bytes;
  let view = null;
  let typing = null; // typing.js: previews out, the agent's typing in
  let live = null; // live.js: receipts, e-mail while away
  let stopped = false;
  const state = {
    open: false,
    ready: false, // a session is established on the current connection
    connection: "connecting",
    agentsOnline: !!(config && config.agents_online),
    unread: 0,
    lastRead: "", // newest agent message id we told the server we read
    loadingOlder: false,
    blocked: false, // the site blocked this visitor: it shows the team away
    closed: "", // outside business hours: "Back Monday at 9:00"
    locked: false, // the site needs a verified identity this visitor lacks
    settings: null,
    conversation: null, // {id, status} of the visitor's newest conversation
    startNew: false, // the visitor chose "Start a new conversation" after a resolve
    mail: false, // the server sends e-mail (replies while away, transcripts)
  };

  const outbox = createOutbox({
    store,
    send: (payload) => conn.request("send_message", payload),
    onSent(item, message) {
      view.list.upsert(message);
      tell(message);
    },
    onFailed: (item, error) => view.list.fail(item.client_id, error),
  });

  // ---- view -------------------------------------------------------------

  function applySettings(settings) {
    if (!settings) return;
    if (!view) {
      view = createView({
        origin,
        onClose: () => setOpen(false),
        onSend: send,
        onNearTop: loadOlder,
        onAct: async (a, m) => confirm(t("Delete this message?")) && changed(await conn.request("delete_message", { message_id: m.id })),
        attach,
        onDraft: (text) => typing.input(text),
        onStartNew: startNew,
        onRate: rate,
        onPrechat(data) {
          store.set("pre", 1);
          view.setPrechat("off", "off");
          if (data.name || data.email) core.identify(data);
        },
        launcher: core.launcher(),
      });
      view.setConnection(state.connection);
      view.setAgentsOnline(state.agentsOnline);
      view.setClosed(state.closed);
      view.setUnread(state.unread);
      showOutbox();
      if (document.body) view.mount();
      else document.addEventListener("DOMContentLoaded", () => stopped || (view.mount(), state.open && setOpen(true)), { once: true });
    }
    if (!typing) {
      const emit = (event, payload) => state.ready && conn.send(event, payload);
      typing = createTyping({ send: emit, root: view.host.shadowRoot });
      live = createLive({ view, send: emit, store, identify: core.identify, request: (e, p) => conn.request(e, p) });
      live.setOnline(state.agentsOnline && !state.closed);
      live.setMail(state.mail, !!state.conversation);
    }
    view.setSettings(settings);
    typing.setWords(settings.typing_preview);
    live.setSettings(settings);
    state.settings = settings;
    askFirst();
  }

  // Pre-chat questions, until answered once or the visitor has written.
  function askFirst() {
    const s = state.settings;
    if (!view || !s || state.locked) return;
    const done = store.get("pre") || view.list.oldestId() || outbox.items().length;
    view.setPrechat(done ? "off" : s.prechat_name, done ? "off" : s.prechat_email);
  }

  function showOutbox() {
    for (const item of outbox.items()) view.list.addPending(item);
  }

  function setOpen(open) {
    if (stopped) return;
    state.open = open;
    if (!view || !view.host.isConnected) return; // applied once mounted
    view.setOpen(open);
    if (open) {
      setUnread(0);
      if (state.ready) conn.request("join_chat", {});
      markRead();
    }
  }

  function setUnread(count) {
    state.unread = count;
    if (view) view.setUnread(count);
  }

  function setAgentsOnline(online) {
    state.agentsOnline = online = online && !state.blocked;
    if (view) view.setAgentsOnline(online);
    if (live) live.setOnline(online && !state.closed);
  }

  // Business hours: outside them the widget says when the team is back and asks for an
  // e-mail address, as it does while nobody is online.
  const hours = createHours(
    () => conn.request("business_hours", {}),
    (back) => {
      state.closed = back;
      if (view) view.setClosed(back);
      setAgentsOnline(state.agentsOnline);
    },
  );

  function setLocked(on) {
    state.locked = on;
    if (view) view.setLocked(on);
    if (!on) askFirst();
  }

  // ---- visitor actions --------------------------------------------------

  // An edit or a deletion answered: shown at once (everyone else hears message_updated).
  function changed(ack) {
    if (ack.ok) view.list.upsert(ack.message);
    else warn(ack.error || ack.code);
  }

  async function send(text, attachments, about) {
    if (about && about.a == "edit") return changed(await conn.request("edit_message", { message_id: about.m.id, text }));
    const item = { client_id: newClientId(), text, created_at: new Date().toISOString() };
    if (about) item.reply_to = about.m.id;
    if (state.startNew) item.new_conversation = true;
    state.startNew = false;
    view.setResolved(false);
    if (attachments && attachments.length) item.attachments = attachments;
    view.list.addPending(item);
    outbox.add(item);
    typing.sent();
  }

  // The thread of the resolved conversation goes away; the next message opens a new one.
  // Remembered, so a reload does not bring the old thread back.
  function startNew() {
    const c = state.conversation;
    if (c) store.set("left", c.id);
    state.startNew = true;
    view.list.clear();
    view.setResolved(false);
  }

  // rated: a rating given since the latest resolution (rated_at after resolved_at).
  const ratedNow = (c) => !!(c.rating && (!c.resolved_at || c.rating.rated_at >= c.resolved_at));

  function setConversation(c) {
    state.conversation = c && c.id ? { id: c.id, status: c.status, rated: ratedNow(c) } : null;
    const now = state.conversation;
    if (live) live.setMail(state.mail, !!now);
    if (view) view.setResolved(!!now && now.status === "resolved" && !state.startNew, now && (now.rated ? "thanks" : "ask"));
  }

  function onConversationStatus(p) {
    if (!p || typeof p.conversation_id !== "string") return;
    if (p.status === "open") state.startNew = false;
    setConversation({ id: p.conversation_id, status: p.status, rating: p.rating });
  }

  async function rate(score, comment) {
    const c = state.conversation;
    if (!c) return { ok: false };
    const ack = await conn.request("rate_conversation", { conversation_id: c.id, score, comment });
    if (ack.ok || ack.code === "conflict") c.rated = true;
    else warn(ack.error || ack.code);
    return ack;
  }

  async function loadOlder() {
    if (state.loadingOlder || !state.ready || !view.list.hasMore()) return;
    const before = view.list.oldestId();
    if (!before) return;
    state.loadingOlder = true;
    view.list.setLoadingOlder(true);
    const ack = await conn.request("history", { before, limit: HISTORY_PAGE });
    state.loadingOlder = false;
    view.list.setLoadingOlder(false);
    if (ack.ok && Array.isArray(ack.messages)) view.list.merge(ack.messages, !!ack.has_more, "older");
  }

  function markRead() {
    if (!state.open || !state.ready || document.hidden) return;
    const upTo = view.list.lastAgentId();
    if (!upTo || upTo <= state.lastRead) return;
    const previous = state.lastRead;
    state.lastRead = upTo;
    conn.request("mark_read", { up_to: upTo }).then((ack) => {
      if (!ack.ok && state.lastRead === upTo) state.lastRead = previous; // try again next time
    });
  }

  // ---- server events ----------------------------------------------------

  function onSession(s) {
    state.blocked = !!s.blocked;
    state.mail = !!s.mail;
    applySettings(core.settings);
    setAgentsOnline(!!s.agents_online);
    hours.set(s.hours || null);
    setLocked(!!s.verification_required);

    const conversation = s.conversation;
    // A resolved conversation the visitor already left for a new one stays out of view.
    const left = conversation && conversation.status === "resolved" && store.get("left") === conversation.id;
    if (left) state.startNew = true;
    const messages = Array.isArray(s.messages) && !left ? s.messages : [];
    for (const m of messages) {
      const kind = m && m.author && m.author.kind;
      if (kind === "visitor" && m.client_id) outbox.confirm(m.client_id);
      if (kind === "agent" && m.status === "read" && m.id > state.lastRead) state.lastRead = m.id;
    }
    view.list.merge(messages, !!s.has_more);
    askFirst();
    setConversation(conversation);
    if (!state.open) setUnread(conversation && conversation.unread_by_visitor > 0 ? conversation.unread_by_visitor : 0);

    state.ready = true;
    showOutbox();
    outbox.setOnline(true);
    if (state.open && view.host.isConnected) {
      conn.request("join_chat", {});
      markRead();
      view.list.checkTop();
    }
  }

  function onMessage(m) {
    if (!view || typeof m.id !== "string") return;
    const kind = m.author && m.author.kind;
    if (kind === "visitor" && m.client_id) outbox.confirm(m.client_id);
    if (state.startNew && state.conversation && m.conversation_id === state.conversation.id) return; // the old thread
    if (!state.conversation || m.conversation_id !== state.conversation.id) setConversation({ id: m.conversation_id, status: "open" });
    const isNew = view.list.upsert(m);
    if (isNew) tell(m);
    if (!isNew || kind !== "agent") return;
    typing.hideAgent();
    live.message(m);
    if (state.open) markRead();
    else setUnread(state.unread + 1);
  }

  // The server's link to its other nodes was cut for a while: messages sent through them may
  // not have arrived. Fetch the newest, at a random moment so a node's widgets do not all ask at once.
  function onResync() {
    setTimeout(async () => {
      if (!state.ready) return;
      const ack = await conn.request("history", { limit: HISTORY_PAGE });
      if (ack.ok && Array.isArray(ack.messages)) for (const m of ack.messages) onMessage(m);
    }, Math.random() * 5000);
  }

  // Porchlight('on', 'message', fn): each new message of the visitor or the team, once.
  const told = new Set();
  function tell(m) {
    const a = m.author || {};
    if (told.has(m.id) || (a.kind != "visitor" && a.kind != "agent")) return;
    told.add(m.id);
    core.tell("message", { id: m.id, conversation_id: m.conversation_id, text: m.text, author: { kind: a.kind, name: a.name }, created_at: m.created_at });
  }

  function onRead(r) {
    if (!view) return;
    if (r.reader === "visitor") {
      // Read in another tab of this visitor.
      if (typeof r.up_to === "string" && r.up_to > state.lastRead) state.lastRead = r.up_to;
      setUnread(0);
    } else {
      view.list.markRead(r.message_ids, r.up_to);
    }
  }

  function onState(next) {
    state.connection = next;
    if (view) view.setConnection(next);
    if (next !== "connected") {
      state.ready = false;
      outbox.setOnline(false);
    }
  }

  function stop() {
    stopped = true;
    hours.stop();
    if (view) view.destroy();
    else if (core.launcher()) core.launcher().destroy();
    document.removeEventListener("visibilitychange", markRead);
  }

  // ---- start --------------------------------------------------------------

  document.addEventListener("visibilitychange", markRead);

  applySettings(core.settings);
  const on = {
    session: onSession,
    message: onMessage,
    message_updated: (m) => view && view.list.upsert(m),
    read: onRead,
    conversation_status: onConversationStatus,
    agents_online: (p) => setAgentsOnline(!!p.online),
    delivered: (r) => view && r.reader == "agent" && view.list.markRead(r.message_ids, r.up_to, "delivered"),
    admin_typing_preview: (p) => typing && typing.showAgent(p),
    admin_typing_cleared: () => typing && typing.hideAgent(),
    settings_updated: () => applySettings(core.settings),
    state: onState,
    verified: () => setLocked(false),
    resync: onResync,
  };

  return {
    on: (name, payload) => !stopped && on[name] && on[name](payload),
    isOpen: () => state.open,
    setOpen,
    askFirst,
    stop,
  };
}
