"""The audit log: who did what, when, from where."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from server.storage.sql.models import AuditRow


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
