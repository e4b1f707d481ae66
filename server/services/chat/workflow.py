"""A site's inbox settings: its tags (name and colour) and automatic assignment.

Automatic assignment, when a conversation opens: round robin among the site's agents who
are online (connected and not away), skipping those who already hold ``cap`` open
conversations. The turn is kept in the cache per site, so nodes share it. The rule itself
is read once per ``RULE_TTL_SECONDS`` per site (every new conversation asks for it): a
change applies at once on the node that made it, on other nodes within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from server.domain import InvalidInput, Tag
from server.services.chat.inbox_commands import color, tag_name
from server.services.single_flight import SingleFlight
from server.services.visitors.service import available_agents_group
from server.storage.cache import Cache
from server.storage.messages import MessageStore
from server.storage.sql.workflow import AssignmentRule, WorkflowRepository

MODES = ("off", "round_robin")
MAX_CAP = 1000
MAX_TAGS = 100
TURN_TTL_SECONDS = 30 * 24 * 3600
RULE_TTL_SECONDS = 3.0


def parse_rule(data: dict[str, Any]) -> AssignmentRule:
    mode = data.get("mode", "off")
    if mode not in MODES:
        raise InvalidInput("Choose Off or Round robin", field="mode")
    cap = data.get("cap", 0)
    if isinstance(cap, str):
        cap = int(cap) if cap.strip().isdigit() else -1 if cap.strip() else 0
    if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= MAX_CAP:
        raise InvalidInput(
            f"Open conversations per agent: a whole number from 0 (no limit) to {MAX_CAP}",
            field="cap",
        )
    return AssignmentRule(mode, cap)


class WorkflowSettings:
    def __init__(
        self,
        repo: WorkflowRepository,
        store: MessageStore,
        cache: Cache,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = repo
        self._store = store
        self._cache = cache
        self._clock = clock
        self._rules: dict[int, tuple[float, AssignmentRule]] = {}
        self._rule_changes: dict[int, int] = {}  # per site, so a stale read is not kept
        self._rule_loads: SingleFlight[AssignmentRule] = SingleFlight()

    # --- tags -----------------------------------------------------------------------------

    async def tags(self, site_id: int) -> list[Tag]:
        return await self._repo.tags(site_id)

    async def add_tag(self, site_id: int, name: Any, tag_color: Any) -> Tag:
        if len(await self._repo.tags(site_id)) >= MAX_TAGS:
            raise InvalidInput(f"a site has at most {MAX_TAGS} tags")
        return await self._repo.add_tag(site_id, tag_name(name), color(tag_color))

    async def recolor_tag(self, site_id: int, tag_id: int, tag_color: Any) -> Tag:
        return await self._repo.recolor_tag(site_id, tag_id, color(tag_color))

    async def rename_tag(self, site_id: int, tag_id: int, name: Any) -> tuple[Tag, str, int]:
        """The renamed tag, its old name, and how many conversations now carry the new one."""
        before, tag = await self._repo.rename_tag(site_id, tag_id, tag_name(name))
        if before.name == tag.name:
            return tag, before.name, 0
        return tag, before.name, await self._store.rename_site_tag(site_id, before.name, tag.name)

    async def remove_tag(self, site_id: int, tag_id: int) -> tuple[Tag, int]:
        """The tag, gone from the site's list and from every conversation that had it."""
        tag = await self._repo.remove_tag(site_id, tag_id)
        return tag, await self._store.untag_site(site_id, tag.name)

    # --- automatic assignment -------------------------------------------------------------

    async def rule(self, site_id: int) -> AssignmentRule:
        return await self._repo.assignment_rule(site_id)

    async def set_rule(self, site_id: int, data: dict[str, Any]) -> AssignmentRule:
        rule = await self._repo.set_assignment_rule(site_id, parse_rule(data))
        self._rules.pop(site_id, None)
        self._rule_changes[site_id] = self._rule_changes.get(site_id, 0) + 1
        return rule

    async def _known_rule(self, site_id: int) -> AssignmentRule:
        known = self._rules.get(site_id)
        if known is not None and known[0] > self._clock():
            return known[1]
        changes = self._rule_changes.get(site_id, 0)
        return await self._rule_loads.run(
            (site_id, changes), lambda: self._load_rule(site_id, changes)
        )

    async def _load_rule(self, site_id: int, changes: int) -> AssignmentRule:
        rule = await self._repo.assignment_rule(site_id)
        if self._rule_changes.get(site_id, 0) == changes:
            if len(self._rules) > 10_000:
                self._rules.clear()
            self._rules[site_id] = (self._clock() + RULE_TTL_SECONDS, rule)
        return rule

    async def next_assignee(self, site_id: int) -> int | None:
        """Whose turn it is to take a new conversation, or None (off, nobody online, all
        at their cap)."""
        rule = await self._known_rule(site_id)
        if rule.mode != "round_robin":
            return None
        online = sorted(int(a) for a in await self._cache.members(available_agents_group(site_id)))
        if not online:
            return None
        held = await self._store.open_counts_by_assignee(site_id) if rule.cap else {}
        turn_key = f"site:{site_id}:assign_turn"
        last = int(await self._cache.get(turn_key) or 0)
        # Agents after the last one first, then from the start: a circle.
        circle = [a for a in online if a > last] + [a for a in online if a <= last]
        for agent_id in circle:
            if not rule.cap or held.get(agent_id, 0) < rule.cap:
                await self._cache.set(turn_key, str(agent_id), TURN_TTL_SECONDS)
                return agent_id
        return None
