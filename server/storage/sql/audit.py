"""The audit log: who did what, when, from where."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import AuditEntry
from server.storage.sql.models import AgentRow, AuditRow


class AuditRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def record(
        self,
        action: str,
        *,
        site_id: int | None = None,
        agent_id: int | None = None,
        ip: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        async with self._sessions.begin() as session:
            session.add(
                AuditRow(
                    action=action, site_id=site_id, agent_id=agent_id, ip=ip, detail=detail or {}
                )
            )

    async def page(
        self, site_id: int, *, before: int | None = None, limit: int = 50
    ) -> list[AuditEntry]:
        """One site's entries, newest first; ``before`` is the last id of the previous page."""
        query = (
            select(AuditRow, AgentRow.email)
            .outerjoin(AgentRow, AgentRow.id == AuditRow.agent_id)
            .where(AuditRow.site_id == site_id)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(AuditRow.id < before)
        async with self._sessions() as session:
            rows = await session.execute(query)
            return [
                AuditEntry(
                    id=row.id,
                    action=row.action,
                    site_id=row.site_id,
                    agent_id=row.agent_id,
                    ip=row.ip,
                    detail=row.detail or {},
                    created_at=row.created_at,
                    agent_email=email,
                )
                for row, email in rows
            ]
