"""Two-factor sign-in for agents: a TOTP app (RFC 6238, via pyotp) or a recovery code.

Enrolment is two steps with nothing stored in between: the new secret travels to the page
and back inside a signed token (10 minutes), and is saved only once the agent has typed a
code it produces. Ten recovery codes are shown once and stored as SHA-256 hashes; each
works once, and so does each app code: the time step of the last accepted one is stored,
and a code of that step or an earlier one is refused. A site's owner (who has set it up)
can require two-factor sign-in of the site's team: members without it are signed out,
and sent to enrol before they get a session again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp

from server.domain import Agent, Forbidden, InvalidInput, Unauthenticated
from server.services.team.tokens import TokenSigner
from server.storage.sql.two_factor import TwoFactorRepository

ISSUER = "Porchlight"
ENROL_SECONDS = 600
RECOVERY_CODES = 10


class TwoFactorRequired(Unauthenticated):
    """The password was right; now the code from the agent's app. ``halfway`` is what the
    browser holds for the second step instead of the password."""

    code = "two_factor_required"

    def __init__(self, message: str, halfway: str) -> None:
        super().__init__(message)
        self.halfway = halfway


class EnrolmentRequired(Forbidden):
    """A site of this agent requires two-factor sign-in and they have not set it up;
    ``halfway`` opens the set-up page only."""

    code = "two_factor_enrolment_required"

    def __init__(self, message: str, halfway: str) -> None:
        super().__init__(message)
        self.halfway = halfway


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    uri: str  # otpauth://totp/...: what the QR code carries, or to paste into an app
    pending: str  # the signed token that brings the secret back with the first code


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


class TwoFactorService:
    def __init__(self, repo: TwoFactorRepository, tokens: TokenSigner) -> None:
        self._repo = repo
        self._tokens = tokens

    async def enabled(self, agent_id: int) -> bool:
        return (await self._repo.secret_of(agent_id))[0] is not None

    async def needed(self, agent: Agent) -> str:
        """``"code"`` (enrolled), ``"enrol"`` (a site requires it) or ``""``."""
        if await self.enabled(agent.id):
            return "code"
        return "enrol" if await self._repo.required_by_a_site(agent.id) else ""

    def start(self, agent: Agent) -> Enrolment:
        secret = pyotp.random_base32()
        uri = pyotp.TOTP(secret).provisioning_uri(name=agent.email, issuer_name=ISSUER)
        pending = self._tokens.issue("totp-enrol", str(agent.id), ENROL_SECONDS, secret=secret)
        return Enrolment(secret, uri, pending)

    async def finish(self, agent: Agent, pending: object, code: object) -> list[str]:
        """Save the secret once a code from it checks out; the recovery codes, shown once."""
        try:
            claims = self._tokens.verify(pending, "totp-enrol")
        except Unauthenticated:
            raise InvalidInput("the set-up expired; start again") from None
        if claims["sub"] != str(agent.id) or not isinstance(claims.get("secret"), str):
            raise InvalidInput("the set-up expired; start again")
        step = _totp_step(claims["secret"], code)
        if step is None:
            raise InvalidInput("that code is not the one your app shows now; try the next one")
        codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
        await self._repo.enable(agent.id, claims["secret"], [_hash(c) for c in codes], step)
        return codes

    async def check(self, agent_id: int, code: object) -> bool:
        """A current code from the app not used before, or an unused recovery code; either
        is used up by passing."""
        secret, _ = await self._repo.secret_of(agent_id)
        if secret is None or not isinstance(code, str) or not code.strip():
            return False
        step = _totp_step(secret, code)
        if step is not None:
            return await self._repo.use_step(agent_id, step)
        return await self._repo.use_recovery_code(agent_id, _hash(code))

    async def turn_off(self, agent: Agent, code: object) -> None:
        if await self._repo.required_by_a_site(agent.id):
            raise InvalidInput("a site you belong to requires two-factor sign-in")
        if not await self.check(agent.id, code):
            raise InvalidInput("that code is not right")
        await self._repo.disable(agent.id)

    # Between the password and the code, the browser holds a signed "halfway" token
    # instead of the password.

    def halfway(self, agent: Agent, kind: str) -> str:
        """``kind``: ``"code"`` (sign-in waits for a code) or ``"enrol"`` (for set-up)."""
        return self._tokens.issue(
            f"2fa-{kind}", str(agent.id), ENROL_SECONDS, ver=agent.token_version
        )

    def halfway_agent_id(self, token: object, kind: str) -> tuple[int, int]:
        """The agent id and token version a halfway token names, or Unauthenticated."""
        claims = self._tokens.verify(token, f"2fa-{kind}")
        return int(claims["sub"]), int(claims.get("ver", 0))


def _totp_step(secret: str, code: object) -> int | None:
    """The time step whose code ``code`` is: this one, or one either side (clock drift)."""
    if not isinstance(code, str):
        return None
    digits = code.replace(" ", "").strip()
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None
