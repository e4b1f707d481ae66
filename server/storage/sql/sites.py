"""Sites (tenants) and who belongs to them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import Conflict, Membership, Role, Site, WidgetSettings
from server.storage.sql.models import MembershipRow, SiteRow


def _site(row: SiteRow) -> Site:
    return Site(
        id=row.id,
        site_key=row.site_key,
        name=row.name,
        allowed_origins=tuple(row.allowed_origins or ()),
        widget=WidgetSettings.from_dict(row.widget_settings),
        identity_secret=row.identity_secret,
        created_at=row.created_at,
        require_verified_identity=bool(row.require_verified_identity),
        blocked_response=row.blocked_response or "offline",
        require_two_factor=bool(row.require_two_factor),
    )


# A deleted site keeps its row (its id is never handed out again, so its conversations stay
# unreachable) but is invisible to every lookup.
_LIVE = SiteRow.deleted_at.is_(None)


class SiteRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def create(
        self,
        *,
        site_key: str,
        name: str,
        allowed_origins: Sequence[str],
        identity_secret: str,
        widget: WidgetSettings,
    ) -> Site:
        row = SiteRow(
            site_key=site_key,
            name=name,
            allowed_origins=list(allowed_origins),
            widget_settings=widget.to_dict(),
            identity_secret=identity_secret,
        )
        async with self._sessions.begin() as session:
            session.add(row)
        return _site(row)

    async def get(self, site_id: int) -> Site | None:
        async with self._sessions() as session:
            row = await session.get(SiteRow, site_id)
            return _site(row) if row and row.deleted_at is None else None

    async def get_by_key(self, site_key: str) -> Site | None:
        async with self._sessions() as session:
            row = await session.scalar(select(SiteRow).where(SiteRow.site_key == site_key, _LIVE))
            return _site(row) if row else None

    async def get_many(self, site_ids: Sequence[int]) -> list[Site]:
        if not site_ids:
            return []
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SiteRow).where(SiteRow.id.in_(site_ids), _LIVE).order_by(SiteRow.id)
            )
            return [_site(row) for row in rows]

    async def all_allowed_origins(self) -> set[str]:
        async with self._sessions() as session:
            rows = await session.scalars(select(SiteRow.allowed_origins).where(_LIVE))
            return {origin for origins in rows for origin in (origins or ())}

    async def add_member(self, site_id: int, agent_id: int, role: Role) -> Membership:
        try:
            async with self._sessions.begin() as session:
                session.add(MembershipRow(site_id=site_id, agent_id=agent_id, role=role.value))
        except IntegrityError:
            raise Conflict("that agent is already a member of this site") from None
        return Membership(site_id=site_id, agent_id=agent_id, role=role)

    async def memberships_of(self, agent_id: int) -> list[Membership]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(MembershipRow)
                .where(MembershipRow.agent_id == agent_id)
                .order_by(MembershipRow.site_id)
            )
            return [Membership(r.site_id, r.agent_id, Role(r.role)) for r in rows]

    async def member_ids(self, site_id: int) -> list[int]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(MembershipRow.agent_id).where(MembershipRow.site_id == site_id)
            )
            return list(rows)
