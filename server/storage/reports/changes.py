"""A change of a conversation's report facts, as both stores queue it to be written in
batches: one conversation's changes in the order they were made, applied one after
another to its record; a message's change also adds to its quarter hour's counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from server.storage.batches import Batches
from server.storage.reports import counts as rc
from server.storage.reports.base import ConversationFacts, Writer, mood, slot_of

# Report facts wait this long for others before each batch: nobody waits on them (they
# ride behind a message's ack), and at a steady rate fewer, larger batches carry them.
FACTS_LINGER_S = 0.02

Change = Callable[[ConversationFacts], ConversationFacts]


@dataclasses.dataclass(frozen=True, slots=True)
class FactsChange:
    """A change of a conversation's facts; a message's also of its quarter hour's counts."""

    site_id: int
    conversation_id: str
    created_ms: int | None  # None: the record must exist already (a rating)
    change: Change
    slot_ms: int | None = None  # a message's quarter hour
    slot_counts: dict[str, int] | None = None


def slot_counts(writer: Writer, sentiment: float | None) -> dict[str, int]:
    visitor = writer is Writer.VISITOR
    counts = {"visitor": int(visitor), "agent": int(not visitor)}
    counts |= {"positive": 0, "neutral": 0, "negative": 0}
    if visitor and sentiment is not None:
        counts[mood(sentiment)] = 1
    return counts


Outcome = bool | Exception  # applied or not; or what a change raised, for its caller


def apply_in_turn(
    old: ConversationFacts | None, conversation_id: str, changes: Sequence[FactsChange]
) -> tuple[ConversationFacts | None, list[Outcome]]:
    """One conversation's record after its ``changes`` in turn, and whether each applied:
    a change for another site than the record's is not, nor one that needs the record
    (``created_ms`` None) before it exists. A change that raises is left out and its error
    handed back, so that it costs the changes batched with it nothing."""
    facts, outcomes = old, []
    for change in changes:
        if (facts is None and change.created_ms is None) or (
            facts is not None and facts.site_id != change.site_id
        ):
            outcomes.append(False)
            continue
        start = facts or rc.new_facts(change.site_id, conversation_id, change.created_ms or 0)
        try:
            facts = change.change(start)
        except Exception as error:
            outcomes.append(error)
            continue
        outcomes.append(True)
    return facts, outcomes


def places_of(batch: Sequence[FactsChange]) -> dict[str, list[int]]:
    """Each conversation's changes in ``batch``, as their places in it, in order."""
    places: dict[str, list[int]] = {}
    for n, change in enumerate(batch):
        places.setdefault(change.conversation_id, []).append(n)
    return places


def message_slots(batch: Sequence[FactsChange]) -> dict[tuple[int, int], dict[str, int]]:
    """The quarter hours' message counts the messages among ``batch`` add, per (site,
    quarter hour)."""
    slots: dict[tuple[int, int], dict[str, int]] = {}
    for change in batch:
        if change.slot_ms is None or change.slot_counts is None:
            continue  # a change of state, not a message
        counts = slots.setdefault((change.site_id, change.slot_ms), {})
        for name, n in change.slot_counts.items():
            counts[name] = counts.get(name, 0) + n
    return slots


def spans_of(slots: Sequence[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Per site, the first and last of its quarter hours among ``slots``."""
    spans: dict[int, tuple[int, int]] = {}
    for site_id, slot in slots:
        low, high = spans.get(site_id, (slot, slot))
        spans[site_id] = (min(low, slot), max(high, slot))
    return spans


class QueuedFactChanges:
    """The report calls that change a conversation's facts, queued as ``FactsChange``s on
    ``_fact_changes``; each store writes the batches its own way."""

    _fact_changes: Batches[FactsChange, bool]

    async def report_conversation(
        self,
        site_id: int,
        conversation_id: str,
        created_ms: int,
        *,
        assignee_id: int | None,
        resolved_ms: int | None,
    ) -> None:
        def change(f: ConversationFacts) -> ConversationFacts:
            return rc.with_state(f, assignee_id, resolved_ms)

        await self._fact_changes.add(FactsChange(site_id, conversation_id, created_ms, change))

    async def report_message(
        self,
        site_id: int,
        conversation_id: str,
        created_ms: int,
        at_ms: int,
        writer: Writer,
        *,
        agent_id: int | None = None,
        sentiment: float | None = None,
    ) -> None:
        def change(f: ConversationFacts) -> ConversationFacts:
            return rc.with_message(f, at_ms, writer, agent_id, sentiment)

        counts = slot_counts(writer, sentiment)
        await self._fact_changes.add(
            FactsChange(site_id, conversation_id, created_ms, change, slot_of(at_ms), counts)
        )

    async def rate_conversation(
        self, site_id: int, conversation_id: str, rating: int, comment: str, at_ms: int
    ) -> bool:
        def change(f: ConversationFacts) -> ConversationFacts:
            return rc.with_rating(f, rating, comment, at_ms)

        return await self._fact_changes.add(FactsChange(site_id, conversation_id, None, change))
