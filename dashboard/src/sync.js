// Keeps the store in step with the server: routes /agent events into the
// store and (re)loads the lists on every connect, so a reconnect misses nothing.

export function createSync({ socket, api, store }) {
  let connectedBefore = false;
  let scope = 0; // bumps on site switch; answers for an older scope are dropped

  async function loadConversations({ more = false } = {}) {
    const mine = scope;
    const ack = await api.listConversations({
      siteId: store.state.siteId,
      before: more ? store.state.conversationsCursor : undefined,
    });
    if (mine !== scope) return ack;
    if (!ack.ok) store.conversationsFailed(ack.error);
    else store.addConversationPage(ack.conversations || [], Boolean(ack.has_more), { more });
    return ack;
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
  }

  socket.on("connect", () => {
    store.setConnection("connected", { reconnected: connectedBefore });
    connectedBefore = true;
    reload();
  });
  socket.on("disconnect", () => store.setConnection("reconnecting"));
  socket.io.on("reconnect_attempt", (attempt) => store.setConnection("reconnecting", { attempt, initial: !connectedBefore }));
  // The server cannot be reached at all (a refusal stops retrying and is handled in socket.js).
  socket.on("connect_error", () => {
    if (socket.active) store.setConnection("reconnecting", { initial: !connectedBefore });
  });

  socket.on("session", (data) => store.setSession(data));
  socket.on("conversation_updated", (c) => store.upsertConversation(c));
  socket.on("message", (m) => store.applyMessage(m));
  socket.on("message_updated", (m) => store.applyMessageUpdate(m));
  socket.on("read", (r) => store.applyRead(r));
  socket.on("visitor_arrival", (v) => store.upsertVisitor(v, "arrival"));
  socket.on("visitor_updated", (v) => store.upsertVisitor(v, "update"));
  socket.on("visitor_left", (e) => e && store.removeVisitor(e.visitor_id));
  socket.on("user_joined", (e) => store.userJoined(e));

  store.on("site", () => {
    scope++;
    store.resetConversations();
    store.resetVisitors();
    if (socket.connected) reload();
  });

  return { loadConversations, loadVisitors, reload };
}
