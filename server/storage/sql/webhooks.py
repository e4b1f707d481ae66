"""Webhook endpoints, per site, in the relational database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import NotFound
from server.storage.sql.models import WebhookEndpointRow


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: int
    site_id: int
    url: str
    description: str
    secret: str
    events: tuple[str, ...]
    include_agent_only: bool
    enabled: bool
    disabled_reason: str
    consecutive_failures: int
    created_at: datetime
    failing_since: datetime | None = None

    def wants(self, event: str, agent_only: bool) -> bool:
        return self.enabled and event in self.events and (self.include_agent_only or not agent_only)

    def to_wire(self, *, with_secret: bool = False) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "description": self.description,
            "events": list(self.events),
            "include_agent_only": self.include_agent_only,
            "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
            "consecutive_failures": self.consecutive_failures,
            "created_at": self.created_at.isoformat(),
        }
        if with_secret:
            wire["secret"] = self.secret
        return wire


def _endpoint(row: WebhookEndpointRow) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        site_id=row.site_id,
        url=row.url,
        description=row.description or "",
        secret=row.secret,
        events=tuple(row.events or ()),
        include_agent_only=bool(row.include_agent_only),
        enabled=bool(row.enabled),
        disabled_reason=row.disabled_reason or "",
        consecutive_failures=row.consecutive_failures or 0,
        created_at=row.created_at,
        failing_since=row.failing_since,
    )


class WebhookRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def create(
        self,
        site_id: int,
        *,
        url: str,
        description: str,
        secret: str,
        events: Sequence[str],
        include_agent_only: bool,
    ) -> WebhookEndpoint:
        row = WebhookEndpointRow(
            site_id=site_id,
            url=url,
            description=description,
            secret=secret,
            events=list(events),
            include_agent_only=include_agent_only,
            enabled=True,
            disabled_reason="",
            consecutive_failures=0,
        )
        async with self._sessions.begin() as session:
            session.add(row)
        return _endpoint(row)

    async def list(self, site_id: int) -> list[WebhookEndpoint]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WebhookEndpointRow)
                .where(WebhookEndpointRow.site_id == site_id)
                .order_by(WebhookEndpointRow.id)
            )
            return [_endpoint(row) for row in rows]

    async def get(self, site_id: int, endpoint_id: int) -> WebhookEndpoint:
        async with self._sessions() as session:
            row = await session.get(WebhookEndpointRow, endpoint_id)
            if row is None or row.site_id != site_id:
                raise NotFound("no such webhook endpoint")
            return _endpoint(row)

    async def find(self, endpoint_id: int) -> WebhookEndpoint | None:
        async with self._sessions() as session:
            row = await session.get(WebhookEndpointRow, endpoint_id)
            return _endpoint(row) if row else None

    async def update(self, site_id: int, endpoint_id: int, **changes: Any) -> WebhookEndpoint:
        async with self._sessions.begin() as session:
            row = await session.get(WebhookEndpointRow, endpoint_id)
            if row is None or row.site_id != site_id:
                raise NotFound("no such webhook endpoint")
            for name, value in changes.items():
                setattr(row, name, list(value) if name == "events" else value)
        return _endpoint(row)

    async def delete(self, site_id: int, endpoint_id: int) -> WebhookEndpoint:
        async with self._sessions.begin() as session:
            row = await session.get(WebhookEndpointRow, endpoint_id)
            if row is None or row.site_id != site_id:
                raise NotFound("no such webhook endpoint")
            await session.delete(row)
        return _endpoint(row)

    async def record_success(self, endpoint_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(WebhookEndpointRow)
                .where(
                    WebhookEndpointRow.id == endpoint_id,
                    WebhookEndpointRow.consecutive_failures != 0,
                )
                .values(consecutive_failures=0, failing_since=None)
            )

    async def record_failure(self, endpoint_id: int, now: datetime) -> tuple[int, datetime]:
        """One more failed attempt in a row: how many now, and since when it has been
        failing ((0, now) when the endpoint is gone)."""
        row = WebhookEndpointRow
        async with self._sessions.begin() as session:
            found = (
                await session.execute(
                    update(row)
                    .where(row.id == endpoint_id)
                    .values(
                        consecutive_failures=row.consecutive_failures + 1,
                        failing_since=func.coalesce(row.failing_since, now),
                    )
                    .returning(row.consecutive_failures, row.failing_since)
                )
            ).first()
        if found is None:
            return 0, now
        count, since = found
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=now.tzinfo)
        return count, since or now

    async def disable(self, endpoint_id: int, reason: str) -> WebhookEndpoint | None:
        """Turn an enabled endpoint off; None when it was off already (or is gone), so of
        several nodes that see the same failure only one tells the owners."""
        async with self._sessions.begin() as session:
            changed = await session.execute(
                update(WebhookEndpointRow)
                .where(WebhookEndpointRow.id == endpoint_id, WebhookEndpointRow.enabled.is_(True))
                .values(enabled=False, disabled_reason=reason)
            )
            if changed.rowcount != 1:
                return None
            row = await session.get(WebhookEndpointRow, endpoint_id)
            return _endpoint(row) if row else None
