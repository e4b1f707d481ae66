"""Server-side API keys: two slots per site so a key is rotated without downtime.

Rotation: generate the secondary key, deploy it, revoke the primary; both work until then.
A key is shown once and stored as its SHA-256 hash. The keys are 256 random bits, so a fast
hash is enough: nobody can search that space, however quick each guess is. A slow password
hash (argon2) protects low-entropy secrets, and would cost tens of milliseconds on every API
call; SHA-256 also lets the lookup be one indexed query instead of a scan over every key.
"""

from __future__ import annotations

import hashlib
import secrets

from server.domain import (
    Agent,
    ApiKey,
    InvalidInput,
    Membership,
    Role,
    Unauthenticated,
    utcnow,
)
from server.services.team.auth import AgentContext
from server.storage.cache import Cache
from server.storage.sql.api_keys import ApiKeyRepository

PREFIX = "pl_key_"
SLOTS = ("primary", "secondary")
TOUCH_EVERY = 60  # seconds between "last used" writes per key


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_slot(value: object) -> str:
    if value not in SLOTS:
        raise InvalidInput("slot must be primary or secondary")
    return str(value)


class ApiKeyService:
    def __init__(self, keys: ApiKeyRepository, cache: Cache) -> None:
        self._keys = keys
        self._cache = cache

    async def list(self, site_id: int) -> list[ApiKey]:
        return await self._keys.active(site_id)

    async def generate(self, site_id: int, slot: object) -> tuple[ApiKey, str]:
        """The new key's facts and the key itself, which is never shown again."""
        slot = parse_slot(slot)
        key = PREFIX + secrets.token_urlsafe(32)
        stored = await self._keys.add(site_id, slot, hash_key(key), key[: len(PREFIX) + 4])
        return stored, key

    async def revoke(self, site_id: int, slot: object) -> ApiKey:
        return await self._keys.revoke(site_id, parse_slot(slot))

    async def authenticate(self, key: str) -> AgentContext:
        """A context scoped to the key's site with the agent role: it reads and answers
        conversations through the REST API, and manages nothing."""
        if not key.startswith(PREFIX) or len(key) > 128:
            raise Unauthenticated("not an API key")
        found = await self._keys.find(hash_key(key))
        if found is None:
            raise Unauthenticated("unknown or revoked API key")
        if await self._cache.get(f"api-key-used:{found.id}") is None:
            await self._cache.set(f"api-key-used:{found.id}", "1", TOUCH_EVERY)
            await self._keys.touch(found.id, utcnow())
        caller = Agent(id=0, email="", name=f"API key ({found.slot})")
        return AgentContext(caller, (Membership(found.site_id, 0, Role.AGENT),))
