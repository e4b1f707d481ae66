"""Team invitations. The link carries a signed token naming the row; the row makes it
single-use and revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from server.domain import Conflict, Invite, NotFound, Role, utcnow
from server.storage.sql.models import InviteRow


def _invite(row: InviteRow) -> Invite:
    return Invite(
        id=row.id,
        site_id=row.site_id,
        email=row.email,
        role=Role(row.role),
        invited_by=row.invited_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
        revoked_at=row.revoked_at,
    )


class InviteRepository:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def create(
        self, *, site_id: int, email: str, role: Role, invited_by: int | None, expires_at: datetime
    ) -> Invite:
        row = InviteRow(
            site_id=site_id,
            email=email,
            role=role.value,
            invited_by=invited_by,
            created_at=utcnow(),
            expires_at=expires_at,
        )
        async with self._sessions.begin() as session:
            session.add(row)
        return _invite(row)

    async def get(self, invite_id: int) -> Invite | None:
        async with self._sessions() as session:
            row = await session.get(InviteRow, invite_id)
            return _invite(row) if row else None

    async def pending(self, site_id: int) -> list[Invite]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(InviteRow)
                .where(
                    InviteRow.site_id == site_id,
                    InviteRow.accepted_at.is_(None),
                    InviteRow.revoked_at.is_(None),
                    InviteRow.expires_at > utcnow(),
                )
                .order_by(InviteRow.id.desc())
            )
            return [_invite(row) for row in rows]

    async def revoke(self, site_id: int, invite_id: int) -> Invite:
        async with self._sessions.begin() as session:
            row = await session.get(InviteRow, invite_id, with_for_update=True)
            if row is None or row.site_id != site_id or row.accepted_at or row.revoked_at:
                raise NotFound("no such pending invite")
            row.revoked_at = utcnow()
        return _invite(row)

    async def replace_pending(self, site_id: int, email: str) -> int:
        """Withdraw the pending invites of this e-mail (a new one is being sent)."""
        async with self._sessions.begin() as session:
            rows = list(
                await session.scalars(
                    select(InviteRow).where(
                        InviteRow.site_id == site_id,
                        InviteRow.email == email,
                        InviteRow.accepted_at.is_(None),
                        InviteRow.revoked_at.is_(None),
                    )
                )
            )
            for row in rows:
                row.revoked_at = utcnow()
            return len(rows)

    async def consume(self, invite_id: int, agent_id: int | None) -> Invite:
        """Mark the invite used, exactly once: a second use is a Conflict."""
        async with self._sessions.begin() as session:
            row = await session.get(InviteRow, invite_id, with_for_update=True)
            if row is None or row.revoked_at is not None:
                raise NotFound("this invite was withdrawn")
            if row.accepted_at is not None:
                raise Conflict("this invite has already been used")
            if row.expires_at <= utcnow():
                raise Conflict("this invite has expired; ask for a new one")
            row.accepted_at = utcnow()
            row.accepted_by = agent_id
        return _invite(row)
