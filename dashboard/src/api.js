// The agent → server calls of docs/protocol.md, one function each.
// Every function resolves to the ack ({ok: true, ...} or {ok: false, error, code}).

export function createApi(request) {
  const site = (siteId) => (siteId == null ? {} : { site_id: siteId });
  return {
    listConversations: ({ siteId, before, limit = 30 } = {}) =>
      request("list_conversations", { ...site(siteId), ...(before ? { before } : {}), limit }),
    inbox: ({ siteId, view, sort, tag, before, offset, limit = 30 } = {}) =>
      request("inbox", {
        ...site(siteId),
        view,
        sort,
        ...(tag ? { tag } : {}),
        ...(sort === "waiting" ? { offset: offset || 0 } : before ? { before } : {}),
        limit,
      }),
    inboxCounts: ({ siteId, tag } = {}) => request("inbox_counts", { ...site(siteId), ...(tag ? { tag } : {}) }),
    desk: () => request("desk", {}),
    resolve: (conversationId) => request("resolve", { conversation_id: conversationId }),
    reopen: (conversationId) => request("reopen", { conversation_id: conversationId }),
    sendTranscript: (conversationId) => request("send_transcript", { conversation_id: conversationId }),
    snooze: (conversationId, until) => request("snooze", { conversation_id: conversationId, ...(until ? { until } : {}) }),
    assign: (conversationId, assigneeId, note) =>
      request("assign", { conversation_id: conversationId, assignee_id: assigneeId, ...(note ? { note } : {}) }),
    tag: (conversationId, { add = [], remove = [] }) => request("tag", { conversation_id: conversationId, add, remove }),
    listVisitors: ({ siteId } = {}) => request("list_visitors", site(siteId)),
    history: (conversationId, { before, limit = 50 } = {}) =>
      request("history", { conversation_id: conversationId, ...(before ? { before } : {}), limit }),
    sendMessage: (conversationId, clientId, text, attachments = [], kind = "message", replyTo = null) =>
      request(kind === "note" ? "send_note" : "send_message", {
        conversation_id: conversationId,
        client_id: clientId,
        text,
        ...(replyTo ? { reply_to: replyTo } : {}),
        ...(attachments.length ? { attachments: attachments.map((a) => ({ ref: a.ref })) } : {}),
      }),
    // One's own messages: edit, delete; what they said before (admins and owners).
    editMessage: (messageId, text) => request("edit_message", { message_id: messageId, text }),
    deleteMessage: (messageId) => request("delete_message", { message_id: messageId }),
    messageHistory: (messageId) => request("message_history", { message_id: messageId }),
    // The reply box: saved replies filled for this conversation, and suggestions.
    savedReplies: (conversationId) => request("saved_replies", { conversation_id: conversationId }),
    suggestReplies: (conversationId) => request("suggest_replies", { conversation_id: conversationId }),
    startConversation: (siteId, visitorId) =>
      request("start_conversation", { site_id: siteId, visitor_id: visitorId }),
    markRead: (conversationId, upTo) => request("mark_read", { conversation_id: conversationId, up_to: upTo }),
    // The owner's console over the socket (admins and owners; see docs/permissions.md).
    blockVisitor: (siteId, visitorId) => request("block", { site_id: siteId, kind: "visitor", value: visitorId }),
  };
}

/** A client_id for send_message: 1–64 chars of [A-Za-z0-9_-]. */
export function newClientId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  let out = "d-" + Date.now().toString(36) + "-";
  for (const b of bytes) out += (b % 36).toString(36);
  return out;
}
