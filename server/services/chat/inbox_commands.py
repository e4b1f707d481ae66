"""Untrusted inbox payloads (views, status, assignment, tags) parsed into commands.

Anything malformed raises InvalidInput with a sentence a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from server.domain import ConversationStatus, InvalidInput, utcnow
from server.services import commands
from server.storage.messages.base import InboxSort

VIEWS = ("mine", "unassigned", "open", "missed", "snoozed", "resolved")
TAG_NAME = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,31}$")
COLOR = re.compile(r"^#[0-9a-f]{6}$")
MAX_NOTE_CHARS = 1000
MAX_SNOOZE = timedelta(days=365)
MAX_TAGS_PER_CHANGE = 20


def tag_name(value: Any, key: str = "name") -> str:
    if not isinstance(value, str):
        raise InvalidInput("Enter a tag name", field=key)
    name = value.strip().lower()
    if not TAG_NAME.match(name):
        raise InvalidInput(
            "a tag name is 1-32 letters, digits, spaces, dashes or underscores, starting with "
            "a letter or digit",
            field=key,
        )
    return name


def color(value: Any) -> str:
    if not isinstance(value, str) or not COLOR.match(value.strip().lower()):
        raise InvalidInput("Choose a colour like #2563eb", field="color")
    return value.strip().lower()


@dataclass(frozen=True, slots=True)
class InboxView:
    view: str = "open"
    sort: InboxSort = InboxSort.ACTIVITY
    tag: str | None = None
    site_id: int | None = None
    before: str | None = None
    offset: int = 0
    limit: int = 50

    @classmethod
    def parse(cls, data: Any) -> InboxView:
        data = commands.require_dict(data)
        view = data.get("view", "open")
        if view not in VIEWS:
            raise InvalidInput(f"view must be one of {', '.join(VIEWS)}")
        sort = data.get("sort", "activity")
        if sort not in ("activity", "waiting"):
            raise InvalidInput('sort must be "activity" or "waiting"')
        tag = data.get("tag")
        offset = data.get("offset", 0)
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= 100_000:
            raise InvalidInput("offset must be a whole number from 0")
        before = data.get("before")
        if before is not None and not (isinstance(before, str) and commands.ULID.match(before)):
            raise InvalidInput("before must be an activity id")
        site_id = data.get("site_id")
        return cls(
            view=view,
            sort=InboxSort(sort),
            tag=None if tag in (None, "") else tag_name(tag, "tag"),
            site_id=None if site_id is None else commands.positive_int(data, "site_id"),
            before=before,
            offset=offset,
            limit=commands.limit(data),
        )

    @property
    def status(self) -> ConversationStatus:
        if self.view in ("snoozed", "resolved"):
            return ConversationStatus(self.view)
        return ConversationStatus.OPEN


def conversation_id(data: Any) -> str:
    value = commands.message_id(commands.require_dict(data), "conversation_id", required=True)
    assert value is not None
    return value


def snooze_until(data: Any, now: datetime | None = None) -> datetime | None:
    """``until``: an ISO 8601 time in the future (within a year), or absent/null: until the
    visitor writes."""
    value = commands.require_dict(data).get("until")
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("until must be a time such as 2026-12-03T09:00:00Z")
    try:
        until = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("until must be a time such as 2026-12-03T09:00:00Z") from None
    if until.tzinfo is None:
        raise InvalidInput("until needs a time zone, such as Z")
    until = until.astimezone(UTC)
    now = now or utcnow()
    if until <= now:
        raise InvalidInput("until must be in the future")
    if until - now > MAX_SNOOZE:
        raise InvalidInput("a conversation can be snoozed for a year at most")
    return until


@dataclass(frozen=True, slots=True)
class Assign:
    assignee_id: int | None  # None: unassign
    note: str = ""  # agent-only: why it moves, for the next agent

    @classmethod
    def parse(cls, data: Any) -> Assign:
        data = commands.require_dict(data)
        if "assignee_id" not in data:
            raise InvalidInput("assignee_id is required (null to unassign)")
        assignee = data["assignee_id"]
        if assignee is not None:
            assignee = commands.positive_int(data, "assignee_id")
        note = data.get("note") or ""
        if not isinstance(note, str):
            raise InvalidInput("note must be text")
        if len(note) > MAX_NOTE_CHARS:
            raise InvalidInput(f"a transfer note is at most {MAX_NOTE_CHARS} characters")
        return cls(assignee, note.strip())


@dataclass(frozen=True, slots=True)
class Retag:
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: Any) -> Retag:
        data = commands.require_dict(data)
        lists = []
        for key in ("add", "remove"):
            value = data.get(key, [])
            if not isinstance(value, list) or len(value) > MAX_TAGS_PER_CHANGE:
                raise InvalidInput(f"{key} must be a list of at most {MAX_TAGS_PER_CHANGE} tags")
            lists.append(tuple(dict.fromkeys(tag_name(v, key) for v in value)))
        if not lists[0] and not lists[1]:
            raise InvalidInput("name a tag to add or remove")
        return cls(*lists)
