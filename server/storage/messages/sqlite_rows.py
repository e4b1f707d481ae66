"""The embedded store's rows: column lists, and domain objects to SQLite values and back.

Datetimes are kept as naive UTC text (``2026-11-25 18:20:01.123000``) and JSON columns as
JSON text, the formats the store has always written, so files from earlier versions read
the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from server.domain import (
    Author,
    AuthorKind,
    Conversation,
    Message,
    MessageKind,
    MessageStatus,
    PageView,
    Rating,
    Score,
    Visitor,
)
from server.storage.messages.records import attachment_from_dict, status_of
from server.storage.messages.rules import to_millis, waiting_key, waiting_since

VISITOR_COLUMNS = (
    "id, site_id, fingerprint, first_seen, last_seen, visits, session_id, "
    "geo, device, identity, flags"
)
PAGE_VIEW_COLUMNS = (
    "id, site_id, visitor_id, session_id, url, title, referrer, entered_at, left_at, seconds"
)
CONVERSATION_COLUMNS = (
    "id, site_id, visitor_id, status, assignee_id, created_at, last_activity_at, "
    "activity_id, preview, unread_by_agent, unread_by_visitor, "
    "snoozed_until, resolved_at, tags, waiting_key, rating"
)
MESSAGE_COLUMNS = (
    "id, conversation_id, site_id, author_kind, author_id, author_name, text, client_id, "
    "attachments, status, created_at, edited_at, deleted_at, kind, reply_to"
)


def placeholders(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


def moment(value: datetime) -> str:
    return to_millis(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def moment_or_none(value: datetime | None) -> str | None:
    return None if value is None else moment(value)


def read_moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def wire_moment(text: str | None) -> str | None:
    """A stored time as ``iso()`` writes it (``2026-11-25T18:20:01.123000Z``; no fraction
    when it is zero), without making a datetime on the way."""
    if text is None:
        return None
    text = text.replace(" ", "T", 1)
    return (text[:-7] if text.endswith(".000000") else text) + "Z"


def to_json(value: Any) -> str:
    """Compact JSON text, as ``json.dumps(value, separators=(",", ":"))`` gives but for
    letters outside ASCII, kept as they are (a page view writes four of these)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# --- visitors ---------------------------------------------------------------------------


def visitor_values(v: Visitor) -> tuple[Any, ...]:
    return (
        v.id,
        v.site_id,
        v.fingerprint,
        moment(v.first_seen),
        moment(v.last_seen),
        v.visits,
        v.session_id,
        to_json(v.geo),
        to_json(v.device),
        to_json(v.identity),
        to_json(v.flags),
    )


def visitor_from_row(row: Sequence[Any]) -> Visitor:
    return Visitor(
        id=row[0],
        site_id=row[1],
        fingerprint=row[2],
        first_seen=read_moment(row[3]),  # type: ignore[arg-type]
        last_seen=read_moment(row[4]),  # type: ignore[arg-type]
        visits=row[5],
        session_id=row[6],
        geo=orjson.loads(row[7]),
        device=orjson.loads(row[8]),
        identity=orjson.loads(row[9]),
        flags=orjson.loads(row[10]),
    )


# --- page views -------------------------------------------------------------------------


def page_view_values(p: PageView) -> tuple[Any, ...]:
    return (
        p.id,
        p.site_id,
        p.visitor_id,
        p.session_id,
        p.url,
        p.title,
        p.referrer,
        moment(p.entered_at),
        moment_or_none(p.left_at),
        p.seconds,
    )


def page_view_from_row(row: Sequence[Any]) -> PageView:
    return PageView(
        id=row[0],
        site_id=row[1],
        visitor_id=row[2],
        session_id=row[3],
        url=row[4],
        title=row[5],
        referrer=row[6],
        entered_at=read_moment(row[7]),  # type: ignore[arg-type]
        left_at=read_moment(row[8]),
        seconds=row[9],
    )


# --- conversations ----------------------------------------------------------------------


def conversation_values(c: Conversation) -> tuple[Any, ...]:
    return (
        c.id,
        c.site_id,
        c.visitor_id,
        c.status.value,
        c.assignee_id,
        moment(c.created_at),
        moment(c.last_activity_at),
        c.activity_id or c.id,
        c.preview,
        c.unread_by_agent,
        c.unread_by_visitor,
        moment_or_none(c.snoozed_until),
        moment_or_none(c.resolved_at),
        to_json(list(c.tags)),
        waiting_key(c.waiting_since),
        rating_text(c.rating),
    )


def conversation_from_row(row: Sequence[Any]) -> Conversation:
    return Conversation(
        id=row[0],
        site_id=row[1],
        visitor_id=row[2],
        status=status_of(row[3]),
        assignee_id=row[4],
        created_at=read_moment(row[5]),  # type: ignore[arg-type]
        last_activity_at=read_moment(row[6]),  # type: ignore[arg-type]
        activity_id=row[7],
        preview=row[8],
        unread_by_agent=row[9],
        unread_by_visitor=row[10],
        snoozed_until=read_moment(row[11]),
        resolved_at=read_moment(row[12]),
        tags=tuple(json.loads(row[13])),
        waiting_since=waiting_since(row[14]),
        rating=rating_of(row[15]),
    )


def rating_text(rating: Rating | None) -> str | None:
    """A rating as JSON text; ``at`` in the store's datetime text, so SQL compares it with
    ``resolved_at``."""
    if rating is None:
        return None
    return to_json(
        {"score": rating.score.value, "comment": rating.comment, "at": moment(rating.rated_at)}
    )


def rating_of(text: str | None) -> Rating | None:
    if not text:
        return None
    found = json.loads(text)
    return Rating(Score(found["score"]), found.get("comment", ""), read_moment(found["at"]))  # type: ignore[arg-type]


# --- messages ---------------------------------------------------------------------------


def message_values(m: Message) -> tuple[Any, ...]:
    return (
        m.id,
        m.conversation_id,
        m.site_id,
        m.author.kind.value,
        m.author.id,
        m.author.name,
        m.text,
        m.client_id,
        to_json([a.to_wire() for a in m.attachments]),
        m.status.value,
        moment(m.created_at),
        moment_or_none(m.edited_at),
        moment_or_none(m.deleted_at),
        m.kind.value,
        m.reply_to,
    )


def message_from_row(row: Sequence[Any]) -> Message:
    return Message(
        id=row[0],
        conversation_id=row[1],
        site_id=row[2],
        author=Author(AuthorKind(row[3]), row[4], row[5]),
        text=row[6],
        client_id=row[7],
        attachments=tuple(attachment_from_dict(a) for a in json.loads(row[8])),
        status=MessageStatus(row[9]),
        created_at=read_moment(row[10]),  # type: ignore[arg-type]
        edited_at=read_moment(row[11]),
        deleted_at=read_moment(row[12]),
        kind=MessageKind(row[13]),
        reply_to=row[14],
    )
