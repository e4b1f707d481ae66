"""Which conversation each visitor last had open, as this node last saw it.

A hint that spares a visitor's message the read of their latest conversation. It is never
trusted: the write it steers matches only a conversation that is still open
(``mongo_visitor_messages``), so one resolved, snoozed or deleted on another node costs
that message the slower path (read, then reopen or open), never a wrong append.
"""

from __future__ import annotations

from server.domain import Conversation, ConversationStatus

# About 150 bytes an entry: at most a few MB for this many visitors writing at once.
LIMIT = 20_000


class OpenConversations:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._ids: dict[tuple[int, str], str] = {}

    def get(self, site_id: int, visitor_id: str) -> str | None:
        return self._ids.get((site_id, visitor_id))

    def saw(self, conversation: Conversation) -> None:
        """``conversation`` is its visitor's latest, as it is now."""
        key = (conversation.site_id, conversation.visitor_id)
        if conversation.status is not ConversationStatus.OPEN:
            self._ids.pop(key, None)
            return
        self._ids.pop(key, None)  # the newest entries are the last to go
        self._ids[key] = conversation.id
        if len(self._ids) > self._limit:
            del self._ids[next(iter(self._ids))]

    def forget(self, site_id: int, visitor_id: str) -> None:
        self._ids.pop((site_id, visitor_id), None)
