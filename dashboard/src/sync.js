// Keeps the store in step with the server: routes /agent events into the
// store and (re)loads the lists on every connect, so a reconnect misses nothing.

export function createSync({ socket, api, store }) {
  let connectedBefore = false;
  let scope = 0; // bumps on site switch; answers for an older scope are dropped

  async function loadConversations({ more = false } = {}) {
    const mine = scope;
    const { view, sort, tag } = store.state.inbox;
    const ack = await api.inbox({
      siteId: store.state.siteId,
      view,
      sort,
      tag,
      before: more ? store.state.conversationsCursor : undefined,
      offset: more ? store.state.conversationsOffset : 0,
    });
    if (mine !== scope) return ack;
    if (!ack.ok) store.conversationsFailed(ack.error);
    else {
      store.addConversationPage(ack.conversations || [], Boolean(ack.has_more), { more });
      store.setCounts(ack.counts);
    }
    return ack;
  }

  // Counts differ per agent (Mine), so each dashboard asks again, once, shortly after a change.
  let countsTimer = 0;
  function refreshCounts() {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(async () => {
      const { tag } = store.state.inbox;
      const ack = await api.inboxCounts({ siteId: store.state.siteId, tag });
      if (ack.ok) store.setCounts(ack.counts);
    }, 250);
  }

  async function loadDesk() {
    const ack = await api.desk();
    if (ack.ok) store.setDesk(ack.sites);
  }

  async function loadVisitors() {
    const mine = scope;
    store.expectVisitors();
    const ack = await api.listVisitors({ siteId: store.state.siteId });
    if (mine !== scope) return ack;
    if (!ack.ok) store.visitorsFailed(ack.error);
    else store.setVisitors(ack.visitors || []);
    return ack;
  }

  function reload() {
    loadConversations();
    loadVisitors();
    loadDesk();
  }

  socket.on("connect", () => {
    store.setConnection("connected", { reconnected: connectedBefore });
    connectedBefore = true;
    reload();
  });
  socket.on("disconnect", () => store.setConnection("reconnecting"));
  // The server's link to the other nodes was cut for a while (Redis down): events from
  // them may be missing. Load again, as after a reconnect.
  socket.on("resync", () => {
    store.setConnection("connected", { reconnected: true });
    reload();
  });
  socket.io.on("reconnect_attempt", (attempt) => store.setConnection("reconnecting", { attempt, initial: !connectedBefore }));
  // The server cannot be reached at all (a refusal stops retrying and is handled in socket.js).
  socket.on("connect_error", () => {
    if (socket.active) store.setConnection("reconnecting", { initial: !connectedBefore });
  });

  socket.on("session", (data) => store.setSession(data));
  socket.on("conversation_updated", (c) => {
    store.upsertConversation(c);
    refreshCounts();
  });
  socket.on("conversation_event", (e) => store.applyConversationEvent(e));
  socket.on("message", (m) => store.applyMessage(m));
  socket.on("message_updated", (m) => store.applyMessageUpdate(m));
  socket.on("read", (r) => store.applyRead(r));
  socket.on("visitor_arrival", (v) => store.upsertVisitor(v, "arrival"));
  socket.on("visitor_updated", (v) => store.upsertVisitor(v, "update"));
  socket.on("visitor_left", (e) => e && store.removeVisitor(e.visitor_id));
  socket.on("user_joined", (e) => store.userJoined(e));
  // An owner changed the site's tags or team: read what the chat header offers again, and
  // the inbox too when a renamed or removed tag was on conversations.
  socket.on("desk_changed", (e) => {
    loadDesk();
    if (e && e.retagged) loadConversations();
  });

  store.on("site", () => {
    scope++;
    store.resetConversations();
    store.resetVisitors();
    if (socket.connected) reload();
  });
  store.on("inbox", () => {
    scope++;
    store.resetConversations();
    if (socket.connected) loadConversations();
  });

  return { loadConversations, loadVisitors, loadDesk, reload, refreshCounts };
}
