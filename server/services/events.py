"""Domain events: what changed in a conversation, told once to everyone who reacts to it.

A service writes the change, then publishes one ``Event``. The socket broadcast, webhooks,
e-mail and metrics are subscribers; none of them is called from a handler directly, so a
new consumer is one ``subscribe`` in ``create_app`` and never a new call in every path.

Names follow ``<thing>.<what happened>``: ``message.created``, ``message.updated``,
``conversation.opened``, ``conversation.resolved``, ``conversation.reopened``,
``conversation.snoozed``, ``conversation.assigned``, ``conversation.tagged``,
``rating.created``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    """One change, in the shape agents receive it (``data`` is wire-ready JSON)."""

    name: str
    site_id: int
    data: Mapping[str, Any]
    # Private notes and other agent-only changes: never to a visitor, and to a webhook only
    # when its endpoint asked for agent-only events.
    agent_only: bool = False
    conversation_id: str | None = None
    visitor_id: str | None = None
    actor: Mapping[str, Any] = field(default_factory=dict)  # {kind, id, name} of who did it
    # The writer told the sockets itself (the visitor's message path, which leaves out the
    # sending tab): the socket relay passes it by; webhooks and metrics still see it.
    sockets_told: bool = False


Subscriber = Callable[[Event], Awaitable[None]]


class EventBus:
    """In-process fan-out to subscribers, in the order they subscribed.

    A subscriber that fails is logged and does not stop the others: the change is already
    stored, and durable consumers (webhooks, e-mail) keep their own outbox.
    """

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    async def publish(self, event: Event) -> None:
        for subscriber in self._subscribers:
            try:
                await subscriber(event)
            except Exception:
                log.exception("subscriber %r failed on %s", subscriber, event.name)
