"""The visitor gate keeps a site's switches and blocks in memory for a few seconds: a
change made through the console applies to the next message at once, a change made on
another node once the entry is older than the gate's ttl."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.domain import BlockKind, Forbidden, Visitor
from server.keys import cache_key, console_key, sites_key
from server.services.chat.admission import VisitorGate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def visitor(site_id: int) -> Visitor:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Visitor(
        id="01JD0000000000000000000000", site_id=site_id, first_seen=moment, last_seen=moment
    )


async def test_a_block_from_another_node_applies_once_the_entry_expires(app, team):
    kit = app[console_key]
    clock = Clock()
    gate = VisitorGate(kit.console.blocking, app[cache_key], app[sites_key], ttl=3, clock=clock)
    someone = visitor(team.site.id)
    assert await gate.may_send(team.site.id, someone, "198.51.100.9") is True

    # Another node adds a block: this node's entry is still fresh.
    await kit.console.blocking.add(team.site.id, BlockKind.IP, "198.51.100.0/24", "", None)
    assert await gate.may_send(team.site.id, someone, "198.51.100.9") is True
    clock.now += 3.5
    assert await gate.may_send(team.site.id, someone, "198.51.100.9") is False

    # The console on this node forgets the entry itself: no wait.
    await kit.site_admin.update_site(team.site.id, {"require_verified_identity": True})
    gate.forget(team.site.id)
    await kit.console.blocking.remove(
        team.site.id, (await kit.console.blocking.list(team.site.id))[0].id
    )
    gate.forget(team.site.id)
    with pytest.raises(Forbidden):
        await gate.may_send(team.site.id, someone, "198.51.100.9")
