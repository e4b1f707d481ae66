// Client state shared by the views, with a tiny publish/subscribe.
// Socket events and acks come in through the methods below; views subscribe
// to topics and patch only the DOM that changed.
//
// Topics: connection(status, info) · site(siteId) · view(view) · open(id, prevId)
//   conversations() [a page was loaded or the list was reset]
//   conversation(c) [one conversation changed] · unread(total)
//   message(m) · read(r) · session(data)
//   visitors() [the list was (re)loaded] · visitor(v, "arrival"|"update")
//   visitor_left(id) · joined({site_id, visitor_id, conversation_id})
//   inbox(view) [view, sort or tag changed] · counts(counts) · desk(sites)
//   conversation_event(e) [a domain event: resolved, assigned, …]
//   missed() [a loaded conversation just waited past its site's missed time]

/** ULIDs sort as strings; null sorts first. */
export function compareIds(a, b) {
  if (a === b) return 0;
  if (a == null) return -1;
  if (b == null) return 1;
  return a < b ? -1 : 1;
}

const INBOX_KEY = "porchlight:inbox";
const VIEWS = ["mine", "unassigned", "open", "missed", "snoozed", "resolved"];
const DEFAULT_MISSED_MINUTES = 5;

/** Has ``c`` waited longer than its site's missed time (minutes) for an agent's reply? */
export function isMissed(c, minutes = DEFAULT_MISSED_MINUTES, now = Date.now()) {
  const since = c.status === "open" && c.waiting_since ? Date.parse(c.waiting_since) : NaN;
  return Number.isFinite(since) && now - since > minutes * 60_000;
}

function savedInbox() {
  try {
    const saved = JSON.parse(localStorage.getItem(INBOX_KEY) || "{}");
    return {
      view: VIEWS.includes(saved.view) ? saved.view : "open",
      sort: saved.sort === "waiting" ? "waiting" : "activity",
      tag: typeof saved.tag === "string" && saved.tag ? saved.tag : null,
    };
  } catch {
    return { view: "open", sort: "activity", tag: null };
  }
}

/** Does conversation ``c`` belong in the inbox view ``inbox`` for agent ``agentId``? */
export function inView(c, inbox, agentId, missedMinutes = DEFAULT_MISSED_MINUTES) {
  if (inbox.tag && !(c.tags || []).includes(inbox.tag)) return false;
  const status = c.status === "closed" ? "resolved" : c.status || "open";
  if (inbox.view === "snoozed" || inbox.view === "resolved") return status === inbox.view;
  if (status !== "open") return false;
  if (inbox.view === "mine") return String(c.assignee_id) === String(agentId);
  if (inbox.view === "unassigned") return c.assignee_id == null;
  if (inbox.view === "missed") return isMissed(c, missedMinutes);
  return true;
}

export function createStore({ agent, sites }) {
  const topics = new Map();

  const state = {
    agent,
    sites: sites || [],
    siteId: null, // null: all sites
    view: "inbox",
    openId: null,
    connection: "connecting",
    conversations: new Map(),
    conversationsStatus: "loading", // loading | ready | error
    conversationsError: "",
    conversationsCursor: null,
    conversationsHasMore: false,
    visitors: new Map(),
    visitorsStatus: "loading",
    visitorsError: "",
    inbox: savedInbox(), // {view, sort, tag}: the agent's choice, kept across reloads
    counts: null, // {mine, unassigned, open, missed, snoozed, resolved}
    desk: new Map(), // site id → {tags: [{id, name, color}], team: [{id, name}], missed_after_minutes}
  };

  function on(topic, fn) {
    if (!topics.has(topic)) topics.set(topic, new Set());
    topics.get(topic).add(fn);
    return () => topics.get(topic).delete(fn);
  }

  function emit(topic, ...args) {
    const fns = topics.get(topic);
    if (!fns) return;
    for (const fn of fns) {
      try {
        fn(...args);
      } catch (err) {
        console.error(`porchlight: ${topic} handler failed`, err);
      }
    }
  }

  const inScope = (siteId) => state.siteId == null || siteId === state.siteId;

  function unreadTotal() {
    let total = 0;
    for (const c of state.conversations.values()) total += c.unread_by_agent > 0 ? c.unread_by_agent : 0;
    return total;
  }

  function setConversation(c) {
    const prev = state.conversations.get(c.id);
    // Keep the visitor summary when an update arrives without one.
    const next = prev ? { ...prev, ...c, visitor: c.visitor || prev.visitor } : c;
    state.conversations.set(c.id, next);
    return next;
  }

  return {
    state,
    on,
    emit,
    inScope,
    unreadTotal,

    siteName(id) {
      const site = state.sites.find((s) => s.id === id);
      return site ? site.name : "";
    },

    multiSite() {
      return state.sites.length > 1;
    },

    setSession(data) {
      if (data && data.agent) state.agent = data.agent;
      if (data && Array.isArray(data.sites)) state.sites = data.sites;
      emit("session", data);
    },

    setConnection(status, info = {}) {
      state.connection = status;
      emit("connection", status, info);
    },

    setSite(siteId) {
      if (state.siteId === siteId) return;
      state.siteId = siteId;
      emit("site", siteId);
    },

    navigate({ view, openId }) {
      if (view !== state.view) {
        state.view = view;
        emit("view", view);
      }
      if (openId !== state.openId) {
        const prev = state.openId;
        state.openId = openId;
        emit("open", openId, prev);
      }
    },

    // ---- inbox views

    setInbox(change) {
      const next = { ...state.inbox, ...change };
      if (next.view === state.inbox.view && next.sort === state.inbox.sort && next.tag === state.inbox.tag) return;
      state.inbox = next;
      try {
        localStorage.setItem(INBOX_KEY, JSON.stringify(next));
      } catch {
        /* storage may be unavailable */
      }
      emit("inbox", next);
    },

    inView(c) {
      return inView(c, state.inbox, state.agent && state.agent.id, this.missedMinutes(c.site_id));
    },

    missedMinutes(siteId) {
      return (state.desk.get(siteId) || {}).missed_after_minutes || DEFAULT_MISSED_MINUTES;
    },

    setCounts(counts) {
      if (!counts) return;
      state.counts = counts;
      emit("counts", counts);
    },

    setDesk(sites) {
      state.desk = new Map((sites || []).map((s) => [s.site_id, s]));
      emit("desk", state.desk);
    },

    tagsOf(siteId) {
      return (state.desk.get(siteId) || {}).tags || [];
    },

    teamOf(siteId) {
      return (state.desk.get(siteId) || {}).team || [];
    },

    applyConversationEvent(e) {
      if (e && e.conversation && inScope(e.conversation.site_id)) emit("conversation_event", e);
    },

    // ---- conversations

    resetConversations() {
      state.conversations.clear();
      state.conversationsStatus = "loading";
      state.conversationsCursor = null;
      state.conversationsHasMore = false;
      emit("conversations");
      emit("unread", 0);
    },

    conversationsFailed(error) {
      if (state.conversationsStatus === "loading") {
        state.conversationsStatus = "error";
        state.conversationsError = error || "Could not load conversations.";
        emit("conversations");
      }
    },

    /** An inbox page: the first page (fresh or after a reconnect) or a "load more" page.
     *  The cursor is the last activity id (activity sort) or how many were loaded (waiting sort). */
    addConversationPage(list, hasMore, { more }) {
      for (const c of list) if (inScope(c.site_id)) setConversation(c);
      const last = list.length ? list[list.length - 1].activity_id : null;
      const fresh = state.conversationsStatus !== "ready";
      if (more || fresh || state.conversationsCursor == null) {
        state.conversationsCursor = last || state.conversationsCursor;
        state.conversationsOffset = (more ? state.conversationsOffset || 0 : 0) + list.length;
        state.conversationsHasMore = hasMore;
      }
      state.conversationsStatus = "ready";
      emit("conversations");
      emit("unread", unreadTotal());
    },

    upsertConversation(c) {
      if (!c || !c.id || !inScope(c.site_id)) return;
      emit("conversation", setConversation(c));
      emit("unread", unreadTotal());
    },

    /** A live message: forward it, and keep the inbox row's preview fresh until conversation_updated lands. */
    applyMessage(m) {
      if (!m || !m.conversation_id) return;
      emit("message", m);
      const conv = state.conversations.get(m.conversation_id);
      // A private note moves nothing in the inbox row, as on the server.
      if (!conv || m.kind === "note" || compareIds(m.id, conv.activity_id) <= 0) return;
      const fromVisitor = m.author && m.author.kind === "visitor";
      const next = {
        ...conv,
        activity_id: m.id,
        last_activity_at: m.created_at || conv.last_activity_at,
        preview: (m.text || "").slice(0, 140) || conv.preview,
        unread_by_agent: (conv.unread_by_agent || 0) + (fromVisitor ? 1 : 0),
      };
      state.conversations.set(conv.id, next);
      emit("conversation", next);
      emit("unread", unreadTotal());
    },

    /** A message was edited or deleted: the thread shows it; the inbox row follows it. */
    applyMessageUpdate(m) {
      if (!m || !m.conversation_id) return;
      emit("message_updated", m);
      const conv = state.conversations.get(m.conversation_id);
      if (!conv || conv.activity_id !== m.id) return;
      const next = { ...conv, preview: m.deleted_at ? "Message deleted" : (m.text || "").slice(0, 140) };
      state.conversations.set(conv.id, next);
      emit("conversation", next);
    },

    applyRead(r) {
      if (r && r.conversation_id) emit("read", r);
    },

    /** Our own mark_read was accepted. */
    markedRead(conversationId) {
      const conv = state.conversations.get(conversationId);
      if (!conv || !conv.unread_by_agent) return;
      const next = { ...conv, unread_by_agent: 0 };
      state.conversations.set(conversationId, next);
      emit("conversation", next);
      emit("unread", unreadTotal());
    },

    // ---- visitors

    resetVisitors() {
      state.visitors.clear();
      state.visitorsStatus = "loading";
      emit("visitors");
    },

    visitorsFailed(error) {
      if (state.visitorsStatus === "loading") {
        state.visitorsStatus = "error";
        state.visitorsError = error || "Could not load visitors.";
        emit("visitors");
      }
    },

    // Live events that arrive while a list request is in flight are newer than its answer:
    // they are kept here and laid over the list when it lands.
    expectVisitors() {
      state.liveWhileLoading = new Map();
    },

    setVisitors(list) {
      state.visitors = new Map(list.filter((v) => inScope(v.site_id)).map((v) => [v.id, v]));
      for (const [id, v] of state.liveWhileLoading || []) {
        if (v) state.visitors.set(id, v);
        else state.visitors.delete(id);
      }
      state.liveWhileLoading = null;
      state.visitorsStatus = "ready";
      emit("visitors");
    },

    upsertVisitor(v, kind) {
      if (!v || !v.id || !inScope(v.site_id)) return;
      const arrival = kind === "arrival" || !state.visitors.has(v.id);
      state.liveWhileLoading?.set(v.id, v);
      state.visitors.set(v.id, v);
      emit("visitor", v, arrival ? "arrival" : "update");
    },

    removeVisitor(visitorId) {
      state.liveWhileLoading?.set(visitorId, null);
      if (!state.visitors.delete(visitorId)) return;
      emit("visitor_left", visitorId);
    },

    userJoined(evt) {
      if (!evt || !inScope(evt.site_id)) return;
      const v = state.visitors.get(evt.visitor_id);
      if (v && evt.conversation_id && v.conversation_id !== evt.conversation_id) {
        const next = { ...v, conversation_id: evt.conversation_id };
        state.visitors.set(v.id, next);
        emit("visitor", next, "update");
      }
      emit("joined", evt);
    },
  };
}
