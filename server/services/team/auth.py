"""Agents: accounts, passwords, login tokens and what each agent may touch."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.domain import (
    Agent,
    Forbidden,
    InvalidInput,
    Membership,
    Role,
    Unauthenticated,
)
from server.services.protection.throttle import Throttle
from server.services.team.tokens import TokenSigner
from server.services.team.two_factor import (
    EnrolmentRequired,
    TwoFactorRequired,
    TwoFactorService,
)
from server.settings import Settings
from server.storage.sql.agents import AgentRepository
from server.storage.sql.audit import AuditRepository
from server.storage.sql.sites import SiteRepository

SESSION_COOKIE = "porchlight_session"


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def parse_email(value: object, field: str = "email") -> str:
    """An e-mail address as typed, trimmed and in lower case; InvalidInput if it is none."""
    if not isinstance(value, str) or not EMAIL.match(value.strip()) or len(value.strip()) > 320:
        raise InvalidInput("Enter an e-mail address like ana@example.com", field=field)
    return value.strip().lower()


def check_new_password(value: object, field: str = "password") -> str:
    if not isinstance(value, str) or len(value) < 8:
        raise InvalidInput("Use at least 8 characters for the password", field=field)
    if len(value) > 1024:
        raise InvalidInput("Use at most 1024 characters for the password", field=field)
    return value


@dataclass(frozen=True, slots=True)
class AgentContext:
    """An authenticated agent and the sites they belong to."""

    agent: Agent
    memberships: tuple[Membership, ...]

    @property
    def site_ids(self) -> list[int]:
        return [m.site_id for m in self.memberships]

    @property
    def is_api_key(self) -> bool:
        """A site's server-side API key (``ApiKeyService.authenticate``), not a person."""
        return self.agent.id == 0

    def role_in(self, site_id: int) -> Role | None:
        return next((m.role for m in self.memberships if m.site_id == site_id), None)

    def require_member(self, site_id: int) -> Role:
        role = self.role_in(site_id)
        if role is None:
            raise Forbidden("you are not a member of that site")
        return role

    def scope(self, site_id: int | None) -> list[int]:
        """The site ids a list request covers: one site (checked) or all of the agent's."""
        if site_id is None:
            return self.site_ids
        self.require_member(site_id)
        return [site_id]


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.password_time_cost,
        memory_cost=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )


class AuthService:
    def __init__(
        self,
        agents: AgentRepository,
        sites: SiteRepository,
        audit: AuditRepository,
        tokens: TokenSigner,
        token_ttl_seconds: int,
        hasher: PasswordHasher | None = None,
        *,
        throttle: Throttle | None = None,
        two_factor: TwoFactorService | None = None,
    ) -> None:
        self._throttle = throttle
        self.two_factor = two_factor
        self._agents = agents
        self._sites = sites
        self._audit = audit
        self._tokens = tokens
        self._ttl = token_ttl_seconds
        self._hasher = hasher or PasswordHasher()
        # Verified against when the e-mail is unknown, so both paths cost the same time.
        # Made on first use: hashing takes a third of a second, too long for every start.
        self._dummy: str | None = None

    async def create_agent(self, email: str, password: str, name: str | None = None) -> Agent:
        email = parse_email(email)
        check_new_password(password)
        agent = await self._agents.create(
            email=email,
            name=(name or email.split("@")[0]).strip()[:200],
            password_hash=self._hasher.hash(password),
        )
        await self._audit.record("agent.created", agent_id=agent.id)
        return agent

    async def add_to_site(self, agent_id: int, site_id: int, role: Role) -> Membership:
        membership = await self._sites.add_member(site_id, agent_id, role)
        await self._audit.record(
            "membership.added", site_id=site_id, agent_id=agent_id, detail={"role": role.value}
        )
        return membership

    async def login(
        self, email: object, password: object, ip: str | None = None, code: object = None
    ) -> str:
        """A signed agent token, or Unauthenticated with one message for every failure.

        With two-factor sign-in on, the right password without a code raises
        ``TwoFactorRequired`` (carrying a ``halfway`` token for the second step), and an
        agent whose site requires it but who has not set it up gets ``EnrolmentRequired``.
        """
        agent = await self._password_ok(email, password, ip)
        if self.two_factor:
            need = await self.two_factor.needed(agent)
            if need == "code" and code is None:
                raise TwoFactorRequired(
                    "enter the code from your authenticator app",
                    self.two_factor.halfway(agent, "code"),
                )
            if need == "code":
                await self._code_ok(agent, code, ip)
            if need == "enrol":
                raise EnrolmentRequired(
                    "set up two-factor sign-in first: a site requires it",
                    self.two_factor.halfway(agent, "enrol"),
                )
        await self._audit.record("login", agent_id=agent.id, ip=ip)
        return self.issue_token(agent)

    async def login_with_code(self, halfway: object, code: object, ip: str | None) -> str:
        """The second step of a sign-in: the halfway token and the code."""
        assert self.two_factor is not None
        agent_id, version = self.two_factor.halfway_agent_id(halfway, "code")
        agent = await self._agents.get(agent_id)
        if agent is None or agent.token_version != version:
            raise Unauthenticated("sign in again")
        await self._code_ok(agent, code, ip)
        await self._audit.record("login", agent_id=agent.id, ip=ip)
        return self.issue_token(agent)

    async def _code_ok(self, agent: Agent, code: object, ip: str | None) -> None:
        assert self.two_factor is not None
        if self._throttle:
            await self._throttle.check("sign_in", address=ip)
            await self._throttle.room("sign_in", account=agent.email)
        if not await self.two_factor.check(agent.id, code):
            await self._audit.record("login.failed", agent_id=agent.id, ip=ip)
            if self._throttle:
                await self._throttle.count("sign_in", account=agent.email)
            raise Unauthenticated("that code is not right; use the one your app shows now")

    async def _password_ok(self, email: object, password: object, ip: str | None) -> Agent:
        """The agent whose password this is. Limited per client address (every attempt)
        and per account (failed attempts), so one address guessing cannot lock out the
        people sharing a proxy with it."""
        if not isinstance(email, str) or not isinstance(password, str) or len(password) > 1024:
            raise InvalidInput("email and password are required")
        account = email.strip().lower()[:320]
        if self._throttle:
            await self._throttle.check("sign_in", address=ip)
            await self._throttle.room("sign_in", account=account)
        found = await self._agents.credentials(email.strip())
        try:
            if found is None and self._dummy is None:
                self._dummy = self._hasher.hash("porchlight-timing-equalizer")
            self._hasher.verify(found[1] if found else self._dummy, password)
        except (VerificationError, InvalidHashError):
            found = None
        if found is None:
            await self._audit.record("login.failed", ip=ip, detail={"email": email[:320]})
            if self._throttle:
                await self._throttle.count("sign_in", account=account)
            raise Unauthenticated("wrong e-mail or password")
        agent, password_hash = found
        if self._hasher.check_needs_rehash(password_hash):
            await self._agents.set_password_hash(agent.id, self._hasher.hash(password))
        return agent

    async def change_password(self, agent: Agent, current: object, new: object) -> None:
        """After checking the current password; the caller ends the agent's other sessions."""
        if not isinstance(new, str) or not 8 <= len(new) <= 1024:
            raise InvalidInput("the new password must be at least 8 characters")
        await self._password_ok(agent.email, current, None)
        await self._agents.set_password_hash(agent.id, self._hasher.hash(new))
        await self._audit.record("password.changed", agent_id=agent.id)

    async def agent(self, agent_id: int) -> Agent | None:
        return await self._agents.get(agent_id)

    def issue_token(self, agent: Agent) -> str:
        """A session token; it carries the agent's token version, so bumping it ends them."""
        return self._tokens.issue("agent", str(agent.id), self._ttl, ver=agent.token_version)

    async def authenticate(self, token: object) -> AgentContext:
        claims = self._tokens.verify(token, "agent")
        try:
            agent = await self._agents.get(int(claims["sub"]))
        except ValueError:
            agent = None
        if agent is None:
            raise Unauthenticated("this account no longer exists")
        if claims.get("ver", 0) != agent.token_version:
            raise Unauthenticated("this session has ended; sign in again")
        return AgentContext(agent, tuple(await self._sites.memberships_of(agent.id)))
