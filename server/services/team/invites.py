"""Team invitations: a signed, expiring, single-use link, e-mailed when SMTP is set up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from server.domain import (
    Agent,
    Conflict,
    InvalidInput,
    Invite,
    NotFound,
    Role,
    Site,
    Unauthenticated,
    utcnow,
)
from server.services.console.field_checks import check_fields
from server.services.mail.mailer import Mailer
from server.services.team.auth import AuthService, check_new_password
from server.services.team.tokens import TokenSigner
from server.storage.sql.invites import InviteRepository
from server.storage.sql.sites import SiteRepository
from server.storage.sql.team import TeamRepository

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_KIND = "invite"


def parse_email(value: object) -> str:
    if not isinstance(value, str) or not EMAIL.match(value.strip()) or len(value) > 320:
        raise InvalidInput("Enter an e-mail address like ana@example.com", field="email")
    return value.strip().lower()


def person_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Enter your name", field="name")
    if len(value.strip()) > 200:
        raise InvalidInput("Use at most 200 characters for your name", "too_long", field="name")
    return value.strip()


def parse_role(value: object) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("Choose a role: owner, admin or agent", field="role") from None


@dataclass(frozen=True, slots=True)
class OpenInvite:
    """A valid invite link, as the accept page needs it."""

    invite: Invite
    site: Site
    existing: Agent | None  # the invited e-mail already has an account


class InviteService:
    def __init__(
        self,
        invites: InviteRepository,
        team: TeamRepository,
        sites: SiteRepository,
        auth: AuthService,
        tokens: TokenSigner,
        mailer: Mailer,
        ttl_seconds: int,
    ) -> None:
        self._invites = invites
        self._team = team
        self._sites = sites
        self._auth = auth
        self._tokens = tokens
        self._mailer = mailer
        self._ttl = ttl_seconds

    @property
    def mails(self) -> bool:
        return self._mailer.configured

    async def create(
        self, site: Site, email: object, role: object, invited_by: Agent, base_url: str
    ) -> tuple[Invite, str]:
        """The invite and its link; the link is e-mailed too when SMTP is configured."""
        email, role = parse_email(email), parse_role(role)
        existing = await self._team.by_email(email)
        if existing and await self._team.role_of(site.id, existing.id):
            raise Conflict(f"“{email}” is already in this site's team", field="email")
        await self._invites.replace_pending(site.id, email)  # inviting again sends a new link
        invite = await self._invites.create(
            site_id=site.id,
            email=email,
            role=role,
            invited_by=invited_by.id,
            expires_at=utcnow() + timedelta(seconds=self._ttl),
        )
        link = self.link(invite, base_url)
        await self._mailer.send(
            email,
            f"Join {site.name} on Porchlight",
            f"{invited_by.name} ({invited_by.email}) invites you to answer chats for "
            f"{site.name} as {role.value}.\n\nAccept the invitation:\n{link}\n\n"
            f"The link works once and expires on "
            f"{invite.expires_at.strftime('%d %B %Y at %H:%M UTC')}.\n",
        )
        return invite, link

    def link(self, invite: Invite, base_url: str) -> str:
        seconds = max(1, int((invite.expires_at - utcnow()).total_seconds()))
        token = self._tokens.issue(TOKEN_KIND, str(invite.id), seconds, site=invite.site_id)
        return f"{base_url.rstrip('/')}/invite/{token}"

    async def pending(self, site_id: int) -> list[Invite]:
        return await self._invites.pending(site_id)

    async def revoke(self, site_id: int, invite_id: int) -> Invite:
        return await self._invites.revoke(site_id, invite_id)

    async def open(self, token: object) -> OpenInvite:
        """The invite a link names, when it can still be accepted."""
        try:
            claims = self._tokens.verify(token, TOKEN_KIND)
            invite = await self._invites.get(int(claims["sub"]))
        except (Unauthenticated, ValueError):
            raise NotFound("this invite link is not valid; ask for a new one") from None
        if invite is None or invite.site_id != claims.get("site") or invite.revoked_at:
            raise NotFound("this invite was withdrawn; ask for a new one")
        if invite.accepted_at:
            raise Conflict("this invite has already been used; sign in instead")
        if not invite.pending:
            raise Conflict("this invite has expired; ask for a new one")
        site = await self._sites.get(invite.site_id)
        if site is None:
            raise NotFound("the site of this invite no longer exists")
        return OpenInvite(invite, site, await self._team.by_email(invite.email))

    async def accept(
        self, token: object, name: object, password: object, ip: str | None
    ) -> tuple[OpenInvite, Agent, str]:
        """Join the team (creating the account when the e-mail has none); a session token."""
        opened = await self.open(token)
        if opened.existing is None:
            check_fields(
                {
                    "name": lambda: person_name(name),
                    "password": lambda: check_new_password(password),
                }
            )
        elif not isinstance(password, str) or not password:
            raise InvalidInput("Enter your password", field="password")
        else:
            await self._auth.login(opened.existing.email, password, ip=ip)
        await self._invites.consume(
            opened.invite.id, opened.existing.id if opened.existing else None
        )
        agent = opened.existing or await self._auth.create_agent(
            opened.invite.email, password, str(name).strip()
        )
        await self._auth.add_to_site(agent.id, opened.site.id, opened.invite.role)
        fresh = await self._team.by_email(agent.email) or agent
        return opened, fresh, self._auth.issue_token(fresh)
