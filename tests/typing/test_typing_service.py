"""TypingService on its own, with a slow store: the lookups that start a burst are shared,
previews that waited behind a newer one are dropped, and a draft not sent yet gives way
to a newer one."""

from __future__ import annotations

import asyncio
from typing import Any

from server.domain import RateLimited, Site, WidgetSettings
from server.rate_limit_rules import RateLimitRules
from server.services.chat.typing import Preview, TypingService
from server.services.protection.throttle import Throttle
from server.storage.rate_limits import WindowCounters


class SlowStore:
    """Answers find_open_conversation after a pause, counting the calls."""

    def __init__(self) -> None:
        self.lookups = 0

    async def find_open_conversation(self, site_id: int, visitor_id: str) -> None:
        self.lookups += 1
        await asyncio.sleep(0.05)
        return None


class Sites:
    def __init__(self) -> None:
        self.reads = 0

    async def get(self, site_id: int) -> Site:
        self.reads += 1
        return Site(
            id=site_id, site_key="pk", name="S", allowed_origins=(), widget=WidgetSettings()
        )


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def to_agents(self, site_id: int, event: str, data: dict[str, Any]) -> None:
        self.sent.append((event, data))

    async def to_visitor(self, visitor_id: str, event: str, data: dict[str, Any], **_: Any):
        self.sent.append((event, data))

    async def to_site_visitors(self, site_id: int, event: str, data: dict[str, Any]) -> None:
        self.sent.append((event, data))


def service() -> tuple[TypingService, SlowStore, Sites, Recorder]:
    store, sites, broadcast = SlowStore(), Sites(), Recorder()
    throttle = Throttle(WindowCounters.in_memory(), RateLimitRules(typing_visitor="100/second"))
    typing = TypingService(store, sites, throttle, broadcast)  # type: ignore[arg-type]
    return typing, store, sites, broadcast


async def preview(typing: TypingService, seq: int, connection: str = "tab-1") -> bool:
    noted = typing.note(connection, seq)
    return await typing.visitor_preview(
        connection, 1, "visitor-1", Preview(text=f"draft {seq}", seq=seq), noted
    )


async def test_previews_arriving_while_a_burst_starts_share_one_lookup():
    typing, store, sites, broadcast = service()

    shown = await asyncio.gather(*(preview(typing, seq) for seq in range(1, 11)))
    await typing.flush()

    assert store.lookups == 1 and sites.reads == 1
    # All ten waited for the same lookup and were taken in order; the agents were sent
    # the newest draft once, the nine before it gave way to it.
    assert all(shown)
    assert texts_sent(broadcast) == ["draft 10"]
    assert typing.superseded == 9
    await typing.close()


async def test_a_new_burst_looks_again_and_the_site_options_are_reused():
    typing, store, sites, _ = service()
    await preview(typing, 1)
    await typing.visitor_stopped("tab-1")

    await preview(typing, 2)

    assert store.lookups == 2  # a conversation may have started since
    assert sites.reads == 1  # the site's options are kept for a few seconds
    await typing.close()


async def test_a_preview_overtaken_by_a_newer_one_is_not_shown_after_it():
    typing, _, _, broadcast = service()
    await preview(typing, 1)  # the burst has started: no more lookups
    await typing.flush()
    older = typing.note("tab-1", 2)
    newer = typing.note("tab-1", 3)

    assert await typing.visitor_preview(
        "tab-1", 1, "visitor-1", Preview(text="newer", seq=3), newer
    )
    assert not await typing.visitor_preview(
        "tab-1", 1, "visitor-1", Preview(text="older", seq=2), older
    )
    assert typing.note("tab-1", 3) is None  # a repeat of a number seen is stale on arrival
    await typing.flush()
    assert texts_sent(broadcast) == ["draft 1", "newer"]
    await typing.close()


async def test_once_a_burst_is_shown_a_preview_is_handled_without_awaiting_the_store():
    typing, store, _, broadcast = service()
    assert typing.visitor_preview_now("tab-1", Preview(text="first", seq=1)) is None
    await preview(typing, 1)  # the full path starts the burst
    await typing.flush()

    taken = [typing.visitor_preview_now("tab-1", Preview(text=f"draft {n}", seq=n)) for n in (2, 3)]
    stale = typing.visitor_preview_now("tab-1", Preview(text="late", seq=2))
    await typing.flush()

    assert taken == [True, True] and stale is False
    assert store.lookups == 1
    # draft 2 was still waiting when draft 3 came: the agents were sent only the newest.
    assert texts_sent(broadcast) == ["draft 1", "draft 3"]
    assert typing.superseded == 1
    await typing.close()


async def test_previews_are_masked_once_before_they_wait():
    typing, _, _, broadcast = service()
    await preview(typing, 1)

    typing.visitor_preview_now("tab-1", Preview(text="card 4242 4242 4242 4242", seq=2))
    await typing.flush()

    assert texts_sent(broadcast)[-1] == "card •••• •••• •••• ••••"
    await typing.close()


async def test_a_draft_waiting_to_be_sent_is_dropped_when_its_message_goes():
    typing, _, _, broadcast = service()
    await preview(typing, 1)
    await typing.flush()

    typing.visitor_preview_now("tab-1", Preview(text="Hello there", seq=2))
    typing.sending("tab-1")
    await typing.flush()

    assert texts_sent(broadcast) == ["draft 1"]
    await typing.close()


async def test_the_preview_rate_limit_is_counted_in_memory_without_the_counter_store():
    store, sites, broadcast = SlowStore(), Sites(), Recorder()
    never = UnreachableCounters()
    throttle = Throttle(never, RateLimitRules(typing_visitor="3/second"))  # type: ignore[arg-type]
    typing = TypingService(store, sites, throttle, broadcast)  # type: ignore[arg-type]
    await preview(typing, 1)

    outcomes = []
    for seq in range(2, 6):
        try:
            typing.visitor_preview_now("tab-1", Preview(text="x", seq=seq))
            outcomes.append("taken")
        except RateLimited as error:
            outcomes.append("refused" if error.retry_after > 0 else "refused without a wait")

    assert outcomes == ["taken", "taken", "refused", "refused"]
    assert never.calls == 0
    await typing.close()


def texts_sent(broadcast: Recorder) -> list[str | None]:
    return [data["text"] for event, data in broadcast.sent if event == "visitor_typing_preview"]


class UnreachableCounters:
    """A counter store that must not be asked."""

    def __init__(self) -> None:
        self.calls = 0

    async def hit_each(self, checks: Any) -> None:
        self.calls += 1
