"""A site's conversation tags and its automatic assignment rule."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import Conflict, NotFound, Tag
from server.storage.sql.models import AssignmentRuleRow, TagRow


@dataclass(frozen=True, slots=True)
class AssignmentRule:
    mode: str = "off"  # off | round_robin
    cap: int = 0  # open conversations an agent may hold before the next is skipped; 0: no cap

    def to_wire(self) -> dict[str, object]:
        return {"mode": self.mode, "cap": self.cap}


def _tag(row: TagRow) -> Tag:
    return Tag(id=row.id, site_id=row.site_id, name=row.name, color=row.color)


class WorkflowRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    # --- tags -----------------------------------------------------------------------------

    async def tags(self, site_id: int) -> list[Tag]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(TagRow).where(TagRow.site_id == site_id).order_by(TagRow.name)
            )
            return [_tag(row) for row in rows]

    async def add_tag(self, site_id: int, name: str, color: str) -> Tag:
        row = TagRow(site_id=site_id, name=name, color=color)
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise Conflict(f"The tag “{name}” exists already", field="name") from None
        return _tag(row)

    async def recolor_tag(self, site_id: int, tag_id: int, color: str) -> Tag:
        async with self._sessions.begin() as session:
            row = await session.get(TagRow, tag_id)
            if row is None or row.site_id != site_id:
                raise NotFound("no such tag")
            row.color = color
        return _tag(row)

    async def rename_tag(self, site_id: int, tag_id: int, name: str) -> tuple[Tag, Tag]:
        """(the tag as it was, as it is now)."""
        try:
            async with self._sessions.begin() as session:
                row = await session.get(TagRow, tag_id)
                if row is None or row.site_id != site_id:
                    raise NotFound("no such tag")
                before = _tag(row)
                row.name = name
        except IntegrityError:
            raise Conflict(f"The tag “{name}” exists already", field="name") from None
        return before, _tag(row)

    async def remove_tag(self, site_id: int, tag_id: int) -> Tag:
        async with self._sessions.begin() as session:
            row = await session.get(TagRow, tag_id)
            if row is None or row.site_id != site_id:
                raise NotFound("no such tag")
            await session.delete(row)
        return _tag(row)

    # --- automatic assignment -------------------------------------------------------------

    async def assignment_rule(self, site_id: int) -> AssignmentRule:
        async with self._sessions() as session:
            row = await session.get(AssignmentRuleRow, site_id)
            return AssignmentRule(row.mode, row.cap) if row else AssignmentRule()

    async def set_assignment_rule(self, site_id: int, rule: AssignmentRule) -> AssignmentRule:
        async with self._sessions.begin() as session:
            row = await session.get(AssignmentRuleRow, site_id)
            if row is None:
                session.add(AssignmentRuleRow(site_id=site_id, mode=rule.mode, cap=rule.cap))
            else:
                row.mode, row.cap = rule.mode, rule.cap
        return rule
