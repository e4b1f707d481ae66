"""Domain objects to MongoDB documents and back.

Documents are the flat records of ``records`` with ``id`` as ``_id``, plus two shapes
that keep every write a plain single-document update:

- ``sort_id`` repeats ``_id`` on messages and page views, so compound indexes can end in it
  (some MongoDB-compatible servers cannot index ``_id`` inside a compound index).
- A datetime that changes after insert travels inside a sub-document
  (``last_activity: {at, preview}`` on conversations, ``left: {at}`` on page views): the
  activity moves as one unit, and ``$set`` of a whole sub-document keeps its BSON dates on
  every server we test against (``resolved: {at}`` and ``rating: {score, comment, at}``
  too). A page view's ``seconds`` (visible
  time) is top-level so the widget's reports and the analytics pipelines reach it without
  a dotted path; older documents kept it as ``left.seconds`` and still read back.
- A snooze's end is ``snoozed_until`` as a ``rules.time_key`` string, so waking compares
  strings, never dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from server.domain import Conversation, Message, PageView, Rating, Score, Visitor
from server.storage.messages import records, rules

Document = Mapping[str, Any]


def _with_id(record: dict[str, Any]) -> dict[str, Any]:
    return {"_id": record.pop("id"), **record}


def _without_id(document: Document) -> dict[str, Any]:
    record = {k: v for k, v in document.items() if k != "_id"}
    record["id"] = document["_id"]
    return record


# The visitor's name and e-mail address in one top-level field: the text index of contacts
# (a text index reaches no dotted path on every server we test against).
IDENTITY_TEXT = "identity_text"


def visitor_document(visitor: Visitor) -> dict[str, Any]:
    document = _with_id(records.visitor_record(visitor))
    identity = visitor.identity
    document[IDENTITY_TEXT] = f"{identity.get('name') or ''} {identity.get('email') or ''}"
    return document


def visitor_from_document(document: Document) -> Visitor:
    record = _without_id(document)
    record.pop(IDENTITY_TEXT, None)
    return records.visitor_from_record(record)


def page_view_document(view: PageView) -> dict[str, Any]:
    record = records.page_view_record(view)
    left_at = record.pop("left_at")
    document = _with_id(record)
    document["sort_id"] = document["_id"]
    document["left"] = left_document(left_at) if left_at is not None else None
    return document


def left_document(left_at: datetime) -> dict[str, Any]:
    return {"at": rules.to_millis(left_at)}


def page_view_from_document(document: Document) -> PageView:
    record = _without_id(document)
    left = record.pop("left", None) or {}
    record["left_at"] = left.get("at")
    record["seconds"] = record["seconds"] if "seconds" in record else left.get("seconds")
    return records.page_view_from_record(record)


def conversation_document(conversation: Conversation) -> dict[str, Any]:
    record = records.conversation_record(conversation)
    at, preview = record.pop("last_activity_at"), record.pop("preview")
    document = _with_id(record)
    document["last_activity"] = last_activity_document(at, preview)
    document["snoozed_until"] = wake_key(record.pop("snoozed_until"))
    document["resolved"] = resolved_document(record.pop("resolved_at"))
    document["rating"] = rating_document(conversation.rating)
    return document


def rating_document(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        "score": rating.score.value,
        "comment": rating.comment,
        "at": rules.to_millis(rating.rated_at),
    }


def rating_from_document(found: dict[str, Any] | None) -> Rating | None:
    if not found:
        return None
    return Rating(Score(found["score"]), found.get("comment", ""), _moment(found["at"]))  # type: ignore[arg-type]


def wake_key(snoozed_until: datetime | None) -> str | None:
    """When a snooze ends, as a string key (``rules.time_key``): compared without dates."""
    return None if snoozed_until is None else rules.time_key(snoozed_until)


def resolved_document(resolved_at: datetime | None) -> dict[str, Any] | None:
    return None if resolved_at is None else {"at": rules.to_millis(resolved_at)}


def last_activity_document(at: datetime, preview: str) -> dict[str, Any]:
    return {"at": rules.to_millis(at), "preview": preview}


def counters_after(message: Message) -> dict[str, Any]:
    """The update a message makes to its conversation's unread counter and wait."""
    counter = rules.raises_unread(message)
    side: dict[str, Any] = {"$inc": {counter: 1}} if counter else {}
    waiting = rules.waiting_change(message)
    if waiting == "start":  # a visitor wrote: an older wait stands
        side["$min"] = {"waiting_key": message.id}
    elif waiting == "clear":  # an agent answered
        side["$set"] = {"waiting_key": rules.NOT_WAITING}
    return side


def counters_after_all(messages: Sequence[Message]) -> dict[str, Any]:
    """``counters_after`` of several messages of one conversation, oldest first, as one
    update (counters added up, the oldest wait kept). Visitors' messages only: an agent's
    reply clears the wait that a visitor's message starts, which one update cannot say."""
    merged: dict[str, dict[str, Any]] = {}
    for message in messages:
        for operator, fields in counters_after(message).items():
            into = merged.setdefault(operator, {})
            for name, value in fields.items():
                if operator == "$inc":
                    into[name] = into.get(name, 0) + value
                elif operator == "$min":
                    into[name] = min(into.get(name, value), value)
                else:
                    raise ValueError(f"{operator} of several messages in one update")
    return merged


def conversation_from_document(document: Document) -> Conversation:
    record = _without_id(document)
    last_activity = record.pop("last_activity")
    record["last_activity_at"] = last_activity["at"]
    record["preview"] = last_activity["preview"]
    wake = record.get("snoozed_until")
    record["snoozed_until"] = rules.time_of_key(wake) if wake else None
    record["resolved_at"] = (record.pop("resolved", None) or {}).get("at")
    rating = rating_from_document(record.pop("rating", None))
    return replace(records.conversation_from_record(record), rating=rating)


def message_document(message: Message) -> dict[str, Any]:
    document = _with_id(records.message_record(message))
    document["sort_id"] = document["_id"]
    return document


def message_from_document(document: Document) -> Message:
    record = _without_id(document)
    for name in ("edited_at", "deleted_at"):  # set later by $set on a null field
        record[name] = _moment(record.get(name))
    return records.message_from_record(record)


def _moment(value: Any) -> datetime | None:
    """A datetime as stored; nx-27017, the wire server the tests run, hands one set by
    ``$set`` over a null back as its text, which MongoDB itself never does."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


def equal_to(**fields: Any) -> dict[str, Any]:
    """A filter of equalities written with ``$eq``. MongoDB reads ``{f: v}`` and
    ``{f: {$eq: v}}`` alike; nx-27017, the wire server the tests and the bench use, finds
    the plain form by scanning the whole collection (a scalar may also match inside an
    array) and uses an index only for ``$eq``."""
    return {name: {"$eq": value} for name, value in fields.items()}
