"""Saved replies: shared by a site's team (admins manage them) or one agent's own.

Who may see what: an agent sees the site's shared replies and their own personal ones,
never a teammate's. Every change bumps the site's version in the cache, so the suggestion
index of every node rebuilds on its next use.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from server.domain import InvalidInput, NotFound, ReplyScope, Role, SavedReply
from server.services.console.field_checks import check_fields
from server.services.team.permissions import Action, require
from server.storage.cache import Cache
from server.storage.sql.saved_replies import SavedReplyRepository

SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
MAX_TITLE = 120
VERSION_TTL = 30 * 24 * 3600

Listener = Callable[[int], Awaitable[None]]


def parse_shortcut(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(
            "Enter a shortcut: a word such as refund or shipping-eu", field="shortcut"
        )
    shortcut = value.strip().removeprefix("/").lower()
    if not SHORTCUT.match(shortcut):
        raise InvalidInput(
            "Use 1 to 32 letters, digits, dots, dashes or underscores, first a letter or "
            "digit, like refund or shipping-eu",
            field="shortcut",
        )
    return shortcut


def parse_scope(value: Any) -> ReplyScope:
    if value is None or value == "":
        return ReplyScope.PERSONAL
    try:
        return ReplyScope(value)
    except ValueError:
        raise InvalidInput(
            'Who can use it: "shared" (the team) or "personal" (only you)', field="scope"
        ) from None


class SavedReplyService:
    def __init__(self, replies: SavedReplyRepository, cache: Cache, max_chars: int = 5000) -> None:
        self._replies = replies
        self._cache = cache
        self._max_chars = max_chars
        self._listeners: list[Listener] = []

    def on_change(self, listener: Listener) -> None:
        """``listener(site_id)`` runs after every change of the site's replies (this node)."""
        self._listeners.append(listener)

    async def available(self, site_id: int, agent_id: int) -> list[SavedReply]:
        return await self._replies.available_to(site_id, agent_id)

    async def of_site(self, site_id: int) -> list[SavedReply]:
        return await self._replies.of_site(site_id)

    async def version(self, site_id: int) -> str | None:
        """Changes whenever a reply of the site changes, on whichever node."""
        return await self._cache.get(_version_key(site_id))

    async def create(
        self, site_id: int, agent_id: int, role: Role, data: Mapping[str, Any]
    ) -> SavedReply:
        scope = parse_scope(data.get("scope"))
        if scope is ReplyScope.SHARED:
            require(role, Action.MANAGE_SHARED_REPLIES)
        checked = check_fields(
            {
                "shortcut": lambda: parse_shortcut(data.get("shortcut")),
                "title": lambda: self._title(data.get("title")),
                "text": lambda: self._text(data.get("text")),
            }
        )
        reply = await self._replies.add(
            site_id,
            None if scope is ReplyScope.SHARED else agent_id,
            checked["shortcut"],
            checked["title"],
            checked["text"],
            created_by=agent_id,
        )
        await self._changed(site_id)
        return reply

    async def update(
        self, site_id: int, agent_id: int, role: Role, reply_id: int, data: Mapping[str, Any]
    ) -> tuple[SavedReply, dict[str, Any]]:
        """The reply as it is now and what changed (empty when nothing did)."""
        reply = await self._mine_to_manage(site_id, agent_id, role, reply_id)
        checks = {
            "shortcut": lambda: parse_shortcut(data["shortcut"]),
            "title": lambda: self._title(data["title"]),
            "text": lambda: self._text(data["text"]),
        }
        wanted = check_fields({name: check for name, check in checks.items() if name in data})
        changes = {k: v for k, v in wanted.items() if getattr(reply, k) != v}
        if not changes:
            return reply, {}
        updated = await self._replies.update(site_id, reply_id, changes)
        await self._changed(site_id)
        return updated, changes

    async def delete(self, site_id: int, agent_id: int, role: Role, reply_id: int) -> SavedReply:
        reply = await self._mine_to_manage(site_id, agent_id, role, reply_id)
        if not await self._replies.remove(site_id, reply_id):
            raise NotFound("no such saved reply")
        await self._changed(site_id)
        return reply

    async def _mine_to_manage(
        self, site_id: int, agent_id: int, role: Role, reply_id: int
    ) -> SavedReply:
        reply = await self._replies.get(site_id, reply_id)
        # A teammate's personal reply does not exist for anyone else, admins included.
        if reply is None or reply.owner_id not in (None, agent_id):
            raise NotFound("no such saved reply")
        if reply.scope is ReplyScope.SHARED:
            require(role, Action.MANAGE_SHARED_REPLIES)
        return reply

    def _title(self, value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInput("The title must be text", field="title")
        title = value.strip()
        if len(title) > MAX_TITLE:
            raise InvalidInput(f"A title has at most {MAX_TITLE} characters", field="title")
        return title

    def _text(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("Enter the reply that the shortcut inserts", field="text")
        if len(value) > self._max_chars:
            raise InvalidInput(f"A reply has at most {self._max_chars:,} characters", field="text")
        return value.strip()

    async def _changed(self, site_id: int) -> None:
        await self._cache.set(_version_key(site_id), uuid.uuid4().hex, VERSION_TTL)
        for listener in self._listeners:
            await listener(site_id)


def _version_key(site_id: int) -> str:
    return f"site:{site_id}:saved_replies_version"
