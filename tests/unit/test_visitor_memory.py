"""The visitor memory holds visitors of the last seconds only, however many came before."""

from __future__ import annotations

from server.domain import Visitor, utcnow
from server.services.visitors.memory import VisitorMemory


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def visitor(n: int) -> Visitor:
    now = utcnow()
    return Visitor(id=f"v{n}", site_id=1, first_seen=now, last_seen=now)


def test_a_visitor_is_remembered_for_the_ttl() -> None:
    clock = Clock()
    memory = VisitorMemory(ttl=3.0, clock=clock)
    memory.remember(visitor(1))
    clock.now += 2.9
    assert memory.get(1, "v1").id == "v1"
    clock.now += 0.1
    assert memory.get(1, "v1") is None


def test_visitors_nobody_asked_for_again_are_dropped_as_new_ones_arrive() -> None:
    clock = Clock()
    memory = VisitorMemory(ttl=3.0, clock=clock)
    for n in range(10_000):  # an hour of page views, one every 0.36 s
        memory.remember(visitor(n))
        clock.now += 0.36
    assert len(memory) <= 9  # those of the last 3 seconds
    assert memory.get(1, "v9999") is not None


def test_remembering_again_renews_and_the_cap_still_holds() -> None:
    clock = Clock()
    memory = VisitorMemory(ttl=3.0, max_entries=3, clock=clock)
    memory.remember(visitor(1))
    clock.now += 2.0
    for n in (2, 3, 1):  # v1 renewed: now the newest
        memory.remember(visitor(n))
    clock.now += 2.0
    assert memory.get(1, "v1") is not None
    memory.remember(visitor(4))  # over the cap: the oldest, v2, goes
    assert len(memory) == 3
    assert memory.get(1, "v2") is None
