"""Typing previews, both ways: what a visitor types reaches agents as ghost text, and agents'
typing reaches the visitor as "Ana is typing…" (or their words, when the site allows it).

Previews are best effort and never delay a message:

- each sender (one connection) numbers its previews with ``seq``; a preview whose number
  is not greater than the last one seen from that connection is dropped, not queued, and
  so is one that a newer preview overtook (it was shown first) while it waited;
- a visitor may send as many previews as the ``typing_visitor`` rate limit allows (12 a
  second by default, all tabs together on this node, counted in memory), the rest are
  dropped; the next one carries the whole text again, so nothing is lost;
- a visitor's preview is masked once and waits for the next turn of the event loop, when
  every preview waiting is sent to its site's agents (one encoding for all of them); a
  newer preview of the same connection that arrives meanwhile takes its place, since the
  ghost text shows the latest draft;
- once a burst is shown, ``visitor_preview_now`` handles a preview without awaiting
  anything: no store, no thread, no task of its own;
- a preview is at most ``PREVIEW_CHARS`` characters (the end of the draft, which is where
  the cursor usually is), masked by ``redaction.redact`` first;
- a burst of typing is cleared by ``stop_typing_preview``, by the message being sent, by
  the connection closing, or ``clear_after`` seconds after the last preview.

State is per connection and lives in this process: a connection is on one node.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from server.domain import Conversation, InvalidInput, NotFound, Site
from server.services.broadcast import Broadcaster
from server.services.chat.redaction import redact
from server.services.console.sites import SiteService
from server.services.protection.throttle import Throttle
from server.services.team.auth import AgentContext
from server.storage.messages import MessageStore

PREVIEW_CHARS = 1000
CLEAR_AFTER_SECONDS = 5.0
SITE_OPTIONS_SECONDS = 5.0  # a change of the site's preview options applies within this
MAX_SEQ = 2**53


@dataclass(frozen=True, slots=True)
class Preview:
    """``typing_preview``: ``{text, seq}``; agents add ``conversation_id``."""

    text: str | None
    seq: int | None

    @classmethod
    def parse(cls, data: Any, max_chars: int) -> Preview:
        if not isinstance(data, dict):
            raise InvalidInput("payload must be an object")
        text = data.get("text")
        if text is not None and not isinstance(text, str):
            raise InvalidInput("text must be a string or null")
        if text is not None and len(text) > max_chars:
            raise InvalidInput(f"text is longer than {max_chars} characters", "too_long")
        seq = data.get("seq")
        if seq is not None and (
            isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < MAX_SEQ
        ):
            raise InvalidInput("seq must be a whole number from 0")
        return cls(text=text, seq=seq)


@dataclass(slots=True)
class _Sender:
    """One connection's typing: the last number seen and the burst being shown."""

    seq: int = -1  # the newest preview number that arrived
    shown_seq: int = -1  # the newest one agents (or the visitor) were shown
    cleared_seq: int = -1  # previews numbered up to here belong to a sent or stopped draft
    burst: _Burst | None = None
    # The lookups that start a burst (site options, conversation), shared by every preview
    # that arrives meanwhile: under load they would otherwise pile up, one per preview.
    starting: tuple[str, asyncio.Task[_Burst]] | None = None


@dataclass(slots=True)
class _Burst:
    site_id: int
    conversation_id: str | None
    visitor_id: str
    site: Site
    agent: dict[str, Any] | None = None  # set when an agent types
    shown: bool = False
    deadline: float = 0.0
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class TypingService:
    def __init__(
        self,
        store: MessageStore,
        sites: SiteService,
        throttle: Throttle,
        broadcast: Broadcaster,
        *,
        clear_after: float = CLEAR_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._sites = sites
        self._throttle = throttle
        self._broadcast = broadcast
        self.clear_after = clear_after
        self._clock = clock
        self._senders: dict[str, _Sender] = {}
        self._sites_seen: dict[int, tuple[float, Site]] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        # Visitors' previews waiting for the next flush: the newest of each connection.
        self._pending: dict[str, tuple[int, dict[str, Any]]] = {}
        self._flush_due = False
        self.superseded = 0  # previews replaced by a newer one before they were sent

    async def close(self) -> None:
        for sender in self._senders.values():
            if sender.burst and sender.burst.timer:
                sender.burst.timer.cancel()
        self._senders.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- numbering: called first thing in a handler, before anything awaits -------------

    def note(self, connection: str, seq: int | None) -> int | None:
        """Record a preview's number; ``None`` when it is stale and must be dropped."""
        sender = self._senders.setdefault(connection, _Sender())
        if seq is None:
            seq = sender.seq + 1
        if seq <= sender.seq:
            return None
        sender.seq = seq
        return seq

    def sending(self, connection: str) -> None:
        """A message is on its way: previews of its draft that are still in flight are stale."""
        sender = self._senders.get(connection)
        if sender is not None:
            sender.cleared_seq = sender.seq
        self._pending.pop(connection, None)

    # --- visitors -------------------------------------------------------------------------

    async def visitor_preview(
        self, connection: str, site_id: int, visitor_id: str, preview: Preview, seq: int | None
    ) -> bool:
        """Show a visitor's draft to the site's agents; False when it was dropped."""
        if seq is None:
            return False
        if preview.text == "":  # the field was cleared
            await self.visitor_stopped(connection)
            return False
        self._throttle.check_here("typing", visitor=visitor_id)
        sender = self._senders.get(connection)
        if sender is None:
            return False
        burst = sender.burst or await self._starting(
            sender, "visitor", lambda: self._visitor_burst(site_id, visitor_id)
        )
        if not self._current(connection, sender, seq):
            return False
        burst = sender.burst = sender.burst or burst  # another preview may have started it
        self._queue(connection, burst, preview)
        return True

    def visitor_preview_now(self, connection: str, preview: Preview) -> bool | None:
        """``visitor_preview`` without awaiting, for a burst already started; None when the
        preview needs the full path (a burst to start, a cleared field, an agent's burst).
        Raises RateLimited as the full path does."""
        sender = self._senders.get(connection)
        burst = sender.burst if sender is not None else None
        if sender is None or burst is None or burst.agent is not None or preview.text == "":
            return None
        seq = self.note(connection, preview.seq)
        if seq is None:
            return False
        self._throttle.check_here("typing", visitor=burst.visitor_id)
        if not self._current(connection, sender, seq):
            return False
        self._queue(connection, burst, preview)
        return True

    def _queue(self, connection: str, burst: _Burst, preview: Preview) -> None:
        """Masked once here; sent at the next flush unless a newer draft replaces it."""
        show = burst.site.widget.typing_preview and preview.text is not None
        text = _preview_text(preview.text or "") if show else None
        data = {**self._visitor_ref(burst), "text": text}
        if self._pending.pop(connection, None) is not None:
            self.superseded += 1
        self._pending[connection] = (burst.site_id, data)
        self._shown(connection, burst)
        if not self._flush_due:
            self._flush_due = True
            task = asyncio.get_running_loop().create_task(self.flush())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Send every preview waiting to its site's agents."""
        self._flush_due = False
        pending, self._pending = self._pending, {}
        for site_id, data in pending.values():
            await self._broadcast.to_agents(site_id, "visitor_typing_preview", data)

    async def visitor_stopped(self, connection: str) -> None:
        """The visitor stopped typing, cleared the field, sent, or left."""
        await self._end(connection)

    # --- agents ---------------------------------------------------------------------------

    async def agent_preview(
        self,
        ctx: AgentContext,
        connection: str,
        conversation_id: str,
        preview: Preview,
        seq: int | None,
    ) -> bool:
        """Show an agent's typing to the visitor (text only where the site allows it)."""
        sender = self._senders.get(connection)
        if seq is None or sender is None:
            return False
        current = sender.burst
        if current is not None and current.conversation_id != conversation_id:
            await self._end(connection)  # typing moved to another conversation
            current = None
        if preview.text == "":
            await self._end(connection)
            return False
        await self._throttle.check("typing", agent=ctx.agent.id)
        burst = current or await self._starting(
            sender, conversation_id, lambda: self._agent_burst(ctx, conversation_id)
        )
        if not self._current(connection, sender, seq):
            return False
        if sender.burst is not None and sender.burst.conversation_id == conversation_id:
            burst = sender.burst  # another preview started it meanwhile
        first = not burst.shown
        sender.burst = burst
        show = burst.site.widget.show_agent_typing_text and preview.text is not None
        text = _preview_text(preview.text or "") if show else None
        agent = {"name": burst.agent["name"]} if burst.agent else {}
        await self._broadcast.to_visitor(
            burst.visitor_id, "admin_typing_preview", {"text": text, "agent": agent}
        )
        if first:
            await self._broadcast.to_agents(
                burst.site_id, "agent_typing", {**self._agent_ref(burst), "typing": True}
            )
        self._shown(connection, burst)
        return True

    async def agent_stopped(self, connection: str, conversation_id: str | None = None) -> None:
        sender = self._senders.get(connection)
        burst = sender.burst if sender else None
        if burst is None or (conversation_id and burst.conversation_id != conversation_id):
            return
        await self._end(connection)

    # --- connections ----------------------------------------------------------------------

    async def disconnected(self, connection: str) -> None:
        await self._end(connection)
        self._senders.pop(connection, None)

    # --- shared ---------------------------------------------------------------------------

    async def _starting(
        self, sender: _Sender, key: str, make: Callable[[], Awaitable[_Burst]]
    ) -> _Burst:
        """The burst being looked up for ``key``: one lookup however many previews wait."""
        if sender.starting is None or sender.starting[0] != key:
            task = asyncio.ensure_future(make())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            sender.starting = (key, task)
        task = sender.starting[1]
        try:
            return await asyncio.shield(task)
        except Exception:
            if sender.starting is not None and sender.starting[1] is task:
                sender.starting = None  # the next preview tries again
            raise

    async def _site(self, site_id: int) -> Site:
        """The site's options, read at most every few seconds: many bursts start at once."""
        seen = self._sites_seen.get(site_id)
        if seen is not None and seen[0] > self._clock():
            return seen[1]
        site = await self._sites.get(site_id)
        if len(self._sites_seen) > 10_000:
            self._sites_seen.clear()
        self._sites_seen[site_id] = (self._clock() + SITE_OPTIONS_SECONDS, site)
        return site

    async def _visitor_burst(self, site_id: int, visitor_id: str) -> _Burst:
        site = await self._site(site_id)
        found = await self._store.find_open_conversation(site_id, visitor_id)
        return _Burst(site_id, found.id if found else None, visitor_id, site)

    async def _agent_burst(self, ctx: AgentContext, conversation_id: str) -> _Burst:
        conversation = await self._conversation_for(ctx, conversation_id)
        return _Burst(
            conversation.site_id,
            conversation.id,
            conversation.visitor_id,
            await self._site(conversation.site_id),
            agent={"id": ctx.agent.id, "name": ctx.agent.name},
        )

    def _current(self, connection: str, sender: _Sender, seq: int) -> bool:
        """Newer than anything shown from this live connection, and not of a sent draft.

        Claims the number when it is: a preview that waited longer than a newer one (for
        the rate limiter or the first lookups of a burst) is not shown after it.
        """
        if self._senders.get(connection) is not sender:
            return False
        if seq <= sender.shown_seq or seq <= sender.cleared_seq:
            return False
        sender.shown_seq = seq
        return True

    def _shown(self, connection: str, burst: _Burst) -> None:
        burst.shown = True
        burst.deadline = self._clock() + self.clear_after
        if burst.timer is None:
            burst.timer = asyncio.get_running_loop().call_later(
                self.clear_after, self._expire, connection, burst
            )

    def _expire(self, connection: str, burst: _Burst) -> None:
        sender = self._senders.get(connection)
        if sender is None or sender.burst is not burst:
            return
        left = burst.deadline - self._clock()
        if left > 0:
            burst.timer = asyncio.get_running_loop().call_later(
                left, self._expire, connection, burst
            )
            return
        task = asyncio.create_task(self._end(connection))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _end(self, connection: str) -> None:
        sender = self._senders.get(connection)
        if sender is None:
            return
        sender.cleared_seq = sender.seq
        self._pending.pop(connection, None)  # not shown after it was cleared
        sender.starting = None  # the next burst looks again (a conversation may be new)
        burst, sender.burst = sender.burst, None
        if burst is None:
            return
        if burst.timer is not None:
            burst.timer.cancel()
        if not burst.shown:
            return
        if burst.agent is None:
            await self._broadcast.to_agents(
                burst.site_id, "visitor_typing_cleared", self._visitor_ref(burst)
            )
            return
        await self._broadcast.to_visitor(
            burst.visitor_id, "admin_typing_cleared", {"agent": {"name": burst.agent["name"]}}
        )
        await self._broadcast.to_agents(
            burst.site_id, "agent_typing", {**self._agent_ref(burst), "typing": False}
        )

    @staticmethod
    def _visitor_ref(burst: _Burst) -> dict[str, Any]:
        return {
            "conversation_id": burst.conversation_id,
            "visitor_id": burst.visitor_id,
            "site_id": burst.site_id,
        }

    @staticmethod
    def _agent_ref(burst: _Burst) -> dict[str, Any]:
        return {
            "conversation_id": burst.conversation_id,
            "site_id": burst.site_id,
            "agent": burst.agent,
        }

    async def _conversation_for(self, ctx: AgentContext, conversation_id: str) -> Conversation:
        for site_id in ctx.site_ids:
            conversation = await self._store.get_conversation(site_id, conversation_id)
            if conversation is not None:
                return conversation
        raise NotFound("no such conversation")


def _preview_text(text: str) -> str:
    """Masked first, then cut to the end of the draft, so a cut never splits a card number."""
    masked = redact(text)
    if len(masked) <= PREVIEW_CHARS:
        return masked
    return "\u2026" + masked[-(PREVIEW_CHARS - 1) :]
