// Keeps the reply box's saved replies and suggestions in step with the open conversation:
// both are fetched when it opens, suggestions again after each new message in it.
const SUGGEST_DELAY_MS = 250;

export function createReplyAssist({ api, composer }) {
  let conversationId = null;
  let seq = 0;
  let timer = null;

  async function loadReplies(id, siteId) {
    const ack = await api.savedReplies(id);
    if (id !== conversationId || !ack.ok) return;
    const manage = siteId != null ? `/dashboard/settings/${siteId}/replies` : null;
    composer.setReplies(ack.replies, manage);
  }

  async function suggest() {
    const id = conversationId;
    const mine = ++seq;
    if (!id) return;
    const ack = await api.suggestReplies(id);
    if (mine !== seq || id !== conversationId) return;
    if (ack.ok) composer.suggestions.show(ack);
  }

  return {
    /** A conversation was opened (null: closed). */
    open(id, siteId) {
      conversationId = id;
      seq++;
      clearTimeout(timer);
      if (!id) return;
      loadReplies(id, siteId);
      suggest();
    },
    /** A message of any conversation arrived or was sent. */
    message(m) {
      if (!conversationId || m.conversation_id !== conversationId || m.kind === "note") return;
      if (m.author && m.author.kind === "agent") composer.suggestions.clear(); // answered
      clearTimeout(timer);
      timer = setTimeout(suggest, SUGGEST_DELAY_MS);
    },
  };
}
