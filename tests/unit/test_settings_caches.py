"""A message reads a site's webhook endpoints and assignment rule from memory: one read per
few seconds per site however many messages ask at once, and a change made on this node
applies at once, even one made while a read was on its way."""

from __future__ import annotations

import asyncio

from server.services.chat.workflow import WorkflowSettings
from server.services.integrations.webhooks import WebhookService
from server.storage.cache import MemoryCache
from server.storage.sql.workflow import AssignmentRule


class SlowRepo:
    """Answers a read with what it held when the read began, once the gate opens."""

    def __init__(self, value) -> None:
        self.value = value
        self.reads = 0
        self.gate = asyncio.Event()

    async def read(self, site_id: int):
        self.reads += 1
        value = self.value
        await self.gate.wait()
        return value


class Endpoints(SlowRepo):
    async def list(self, site_id: int):
        return await self.read(site_id)


class Rules(SlowRepo):
    async def assignment_rule(self, site_id: int):
        return await self.read(site_id)

    async def set_assignment_rule(self, site_id: int, rule: AssignmentRule):
        self.value = rule
        return rule


async def settle() -> None:
    """Let every task started so far run up to its next wait."""
    for _ in range(5):
        await asyncio.sleep(0)


class Endpoint:
    def __init__(self, id: int, enabled: bool = True) -> None:
        self.id, self.enabled = id, enabled


async def test_endpoint_reads_are_shared_and_a_change_during_one_is_not_lost() -> None:
    repo = Endpoints([Endpoint(1)])
    service = WebhookService(repo, store=None, allow_private=False)
    asking = [asyncio.create_task(service.enabled_endpoint(7, 1)) for _ in range(50)]
    await settle()
    assert repo.reads == 1
    service.forget(7)  # an endpoint is turned off while the read is on its way
    repo.value = [Endpoint(1, enabled=False)]
    later = asyncio.create_task(service.enabled_endpoint(7, 1))
    await settle()
    repo.gate.set()

    assert all(a is not None for a in await asyncio.gather(*asking))
    assert await later is None  # asked after the change: not the stale read's answer
    assert repo.reads == 2
    assert await service.enabled_endpoint(7, 1) is None
    assert repo.reads == 2  # now from memory


async def test_the_assignment_rule_is_read_once_and_a_new_rule_applies_at_once() -> None:
    repo = Rules(AssignmentRule("off", 0))
    repo.gate.set()
    workflow = WorkflowSettings(repo, store=None, cache=MemoryCache())

    assert await asyncio.gather(*(workflow.next_assignee(3) for _ in range(20))) == [None] * 20
    assert repo.reads == 1

    await workflow.set_rule(3, {"mode": "round_robin", "cap": 0})
    await workflow.next_assignee(3)
    assert repo.reads == 2
    assert (await workflow._known_rule(3)).mode == "round_robin"
