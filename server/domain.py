"""Dataclasses, enums and errors shared by every layer. Imports nothing of the project."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


# --- errors -----------------------------------------------------------------------------


class DomainError(Exception):
    """An error a caller can act on. ``code`` is stable; the message is for people.
    ``field``, when known, names the form field or payload key the error is about."""

    code = "error"

    def __init__(self, message: str, code: str | None = None, *, field: str | None = None):
        super().__init__(message)
        if code:
            self.code = code
        self.field = field

    @property
    def message(self) -> str:
        return str(self.args[0])


class InvalidInput(DomainError):
    code = "invalid"


class InvalidFields(InvalidInput):
    """Several fields of one form are wrong: ``fields`` maps each to what to do about it,
    in the form's order; the message is the first of them."""

    def __init__(self, fields: dict[str, str], code: str | None = None) -> None:
        first = next(iter(fields))
        super().__init__(fields[first], code, field=first)
        self.fields = dict(fields)


def field_errors(error: DomainError) -> dict[str, str]:
    """The fields an error is about, each with its message; {} for an error of a whole form."""
    if isinstance(error, InvalidFields):
        return error.fields
    if error.field:  # a wrong value, or one already taken (a Conflict)
        return {error.field: error.message}
    return {}


class NotFound(DomainError):
    code = "not_found"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class RateLimited(DomainError):
    """Too many of these lately: nothing was done; the same request is allowed again after
    ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(DomainError):
    code = "conflict"


class Unprocessable(DomainError):
    """Well-formed, but it contradicts what came before (an idempotency key reused for a
    different request)."""

    code = "unprocessable"


class Busy(DomainError):
    """Over capacity right now: nothing was done; the same request may be sent again after
    ``retry_after`` seconds (a message resent with its client_id is still one message)."""

    code = "busy"

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(Busy):
    """A dependency (the message store, Redis) does not answer, or this node is restarting:
    nothing was stored; the same request may be sent again after ``retry_after`` seconds."""

    code = "unavailable"


# --- tenants and people -----------------------------------------------------------------


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class WidgetSettings:
    color: str = "#2563eb"
    position: str = "right"
    greeting: str = "Hi there! How can we help?"
    team_name: str = "Support"
    offline_message: str = "We're away right now. Leave a message and we'll get back to you."
    # The widget sends browser fingerprint components only after Porchlight('consent', true).
    fingerprint_requires_consent: bool = False
    typing_preview: bool = True  # agents see what visitors type before they send it
    show_agent_typing_text: bool = False  # visitors see the agent's words, not just "typing…"
    # Owner's console (validated in services/console/site_admin.py):
    launcher_text: str = ""  # shown beside the launcher icon; empty = a round button
    launcher_icon: str = "chat"  # chat | help
    avatar_url: str = ""  # the team's picture in the header; empty = the team's initial
    prechat_name: str = "off"  # off | optional | required: asked before the first message
    prechat_email: str = "off"
    # auto (the visitor's browser) | en | de | fr | es | pt | it | nl: the widget's own words
    language: str = "auto"

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> WidgetSettings:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        # Every field is a str or a bool: no deep copy (asdict's) needed; every page view asks.
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    site_key: str
    name: str
    allowed_origins: tuple[str, ...]
    widget: WidgetSettings
    identity_secret: str = field(repr=False, default="")
    created_at: datetime | None = None
    require_verified_identity: bool = False  # unverified visitors cannot send messages
    require_two_factor: bool = False  # the team signs in with a TOTP code
    blocked_response: str = "offline"  # what blocked visitors get: offline | hidden

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site_key": self.site_key,
            "name": self.name,
            "allowed_origins": list(self.allowed_origins),
            "widget": self.widget.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    email: str
    name: str
    created_at: datetime | None = None
    # Bumped on removal or a password change: tokens issued before stop working.
    token_version: int = field(default=0, repr=False)

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "name": self.name}


@dataclass(frozen=True, slots=True)
class Membership:
    site_id: int
    agent_id: int
    role: Role


# --- visitors ---------------------------------------------------------------------------


@dataclass(slots=True)
class Visitor:
    id: str
    site_id: int
    first_seen: datetime
    last_seen: datetime
    visits: int = 1
    session_id: str | None = None  # the current visit; a new one after inactivity
    fingerprint: str | None = None
    geo: dict[str, Any] = field(default_factory=dict)
    device: dict[str, Any] = field(default_factory=dict)
    identity: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return display_name(self.id, self.identity)


def display_name(visitor_id: str, identity: dict[str, Any]) -> str:
    """The name the visitor gave, else one made from their id."""
    return identity.get("name") or f"Visitor {visitor_id[-6:].lower()}"


@dataclass(frozen=True, slots=True)
class PageView:
    id: str
    site_id: int
    visitor_id: str
    session_id: str
    url: str
    title: str = ""
    referrer: str = ""
    entered_at: datetime = field(default_factory=utcnow)
    left_at: datetime | None = None
    seconds: float | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "referrer": self.referrer,
            "entered_at": iso(self.entered_at),
            "left_at": iso(self.left_at),
            "seconds": self.seconds,
        }


# --- conversations and messages ---------------------------------------------------------


class AuthorKind(StrEnum):
    VISITOR = "visitor"
    AGENT = "agent"
    SYSTEM = "system"


class MessageStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"


class MessageKind(StrEnum):
    """What a message is. Visitors only ever see ``MESSAGE`` and ``EVENT`` lines; ``NOTE``
    is agent-only by type."""

    MESSAGE = "message"  # written by a visitor or an agent, seen by both sides
    NOTE = "note"  # an agent's private note
    EVENT = "event"  # a system line: "Dana resolved the conversation"


class ConversationStatus(StrEnum):
    OPEN = "open"
    SNOOZED = "snoozed"  # out of the open views until ``snoozed_until`` or the visitor writes
    RESOLVED = "resolved"  # done; the visitor's next message reopens it


@dataclass(frozen=True, slots=True)
class Author:
    kind: AuthorKind
    id: str
    name: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "id": self.id, "name": self.name}


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    type: str
    bytes: int
    width: int | None = None
    height: int | None = None
    thumb_url: str | None = None
    storage: str | None = None  # "disk" | "cloudinary": where the file lives
    name: str | None = None  # the storage's key for it (file name, Cloudinary public id)
    filename: str | None = None  # a document's name as its uploader called it (cleaned)

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


class Score(StrEnum):
    """A visitor's rating of a resolved conversation."""

    GOOD = "good"
    OKAY = "okay"
    BAD = "bad"

    @property
    def points(self) -> int:
        """On the reports' 1-5 scale: good 5, okay 3, bad 1 (4 and 5 count as satisfied)."""
        return {"good": 5, "okay": 3, "bad": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Rating:
    score: Score
    comment: str = ""
    rated_at: datetime = field(default_factory=utcnow)

    def to_wire(self) -> dict[str, Any]:
        return {"score": self.score.value, "comment": self.comment, "rated_at": iso(self.rated_at)}


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    site_id: int
    visitor_id: str
    status: ConversationStatus = ConversationStatus.OPEN
    assignee_id: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    last_activity_at: datetime = field(default_factory=utcnow)
    # The id of the newest message (or the conversation's own id): ULIDs sort by time, so
    # the inbox orders and pages by this string rather than by a datetime.
    activity_id: str = ""
    preview: str = ""
    unread_by_agent: int = 0
    unread_by_visitor: int = 0
    snoozed_until: datetime | None = None  # None while snoozed: until the visitor writes
    resolved_at: datetime | None = None
    tags: tuple[str, ...] = ()
    # When the oldest visitor message no agent has answered arrived; None once answered.
    waiting_since: datetime | None = None
    # The visitor's rating; one per resolution (rated_at after the latest resolved_at).
    rating: Rating | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site_id": self.site_id,
            "visitor_id": self.visitor_id,
            "status": self.status.value,
            "assignee_id": self.assignee_id,
            "created_at": iso(self.created_at),
            "last_activity_at": iso(self.last_activity_at),
            "activity_id": self.activity_id,
            "preview": self.preview,
            "unread_by_agent": self.unread_by_agent,
            "unread_by_visitor": self.unread_by_visitor,
            "snoozed_until": iso(self.snoozed_until),
            "resolved_at": iso(self.resolved_at),
            "tags": list(self.tags),
            "waiting_since": iso(self.waiting_since),
            "rating": self.rating.to_wire() if self.rating else None,
        }


QUOTE_CHARS = 140


@dataclass(frozen=True, slots=True)
class Quote:
    """The message a reply quotes, as it is now: a deleted one is quoted without words."""

    id: str
    author: Author
    text: str
    deleted: bool = False

    @classmethod
    def of(cls, message: Message) -> Quote:
        deleted = message.deleted_at is not None
        excerpt = "" if deleted else message.text[:QUOTE_CHARS]
        if not deleted and not excerpt.strip() and message.attachments:
            images = all(a.type.startswith("image/") for a in message.attachments)
            excerpt = "[image]" if images else "[file]"
        return cls(message.id, message.author, excerpt, deleted)

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "author": self.author.to_wire(),
            "text": self.text,
            "deleted": self.deleted,
        }


class RevisionAction(StrEnum):
    EDIT = "edit"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class MessageRevision:
    """What a message said before one edit or its deletion: kept for the audit view."""

    id: str
    site_id: int
    conversation_id: str
    message_id: str
    action: RevisionAction
    text: str  # the words before the change
    actor: Author
    created_at: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message_id": self.message_id,
            "action": self.action.value,
            "text": self.text,
            "actor": self.actor.to_wire(),
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class Tag:
    """A label a site defines for its conversations; conversations carry its name."""

    id: int
    site_id: int
    name: str
    color: str  # #rrggbb

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "color": self.color}


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    conversation_id: str
    site_id: int
    author: Author
    text: str
    client_id: str
    attachments: tuple[Attachment, ...] = ()
    status: MessageStatus = MessageStatus.SENT
    created_at: datetime = field(default_factory=utcnow)
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    kind: MessageKind = MessageKind.MESSAGE
    reply_to: str | None = None  # the id of the message this one quotes
    quote: Quote | None = None  # that message as it is now (filled in for the wire)

    def to_wire(self) -> dict[str, Any]:
        # A deleted message keeps its words in the store (the audit view shows them to
        # admins); on the wire it has none, for everyone.
        deleted = self.deleted_at is not None
        return {
            "id": self.id,
            "kind": self.kind.value,
            "conversation_id": self.conversation_id,
            "site_id": self.site_id,
            "author": self.author.to_wire(),
            "text": "" if deleted else self.text,
            "client_id": self.client_id,
            "attachments": [] if deleted else [a.to_wire() for a in self.attachments],
            "reply_to": (
                self.quote.to_wire()
                if self.quote
                else ({"id": self.reply_to} if self.reply_to else None)
            ),
            "status": self.status.value,
            "created_at": iso(self.created_at),
            "edited_at": iso(self.edited_at),
            "deleted_at": iso(self.deleted_at),
        }


# --- the owner's console: team, invites, keys, blocks, audit ----------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """An agent as one site's team sees them."""

    agent: Agent
    role: Role
    joined_at: datetime | None = None

    def to_wire(self) -> dict[str, Any]:
        return {**self.agent.to_wire(), "role": self.role.value, "joined_at": iso(self.joined_at)}


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    site_id: int
    email: str
    role: Role
    invited_by: int | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site_id": self.site_id,
            "email": self.email,
            "role": self.role.value,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "pending": self.pending,
        }


class BlockKind(StrEnum):
    VISITOR = "visitor"
    IP = "ip"  # one address or a CIDR range
    COUNTRY = "country"  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Block:
    id: int
    site_id: int
    kind: BlockKind
    value: str
    note: str = ""
    created_by: int | None = None
    created_at: datetime | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site_id": self.site_id,
            "kind": self.kind.value,
            "value": self.value,
            "note": self.note,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A server-side key's public facts; the key itself is shown once and stored hashed."""

    id: int
    site_id: int
    slot: str  # primary | secondary
    prefix: str
    created_at: datetime | None = None
    last_used_at: datetime | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slot": self.slot,
            "prefix": self.prefix,
            "created_at": iso(self.created_at),
            "last_used_at": iso(self.last_used_at),
        }


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    action: str
    site_id: int | None
    agent_id: int | None
    ip: str | None
    detail: dict[str, Any]
    created_at: datetime
    agent_email: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "site_id": self.site_id,
            "agent_id": self.agent_id,
            "agent_email": self.agent_email,
            "ip": self.ip,
            "detail": self.detail,
            "created_at": iso(self.created_at),
        }


# --- saved replies ----------------------------------------------------------------------


class ReplyScope(StrEnum):
    SHARED = "shared"  # the whole team of the site; admins manage them
    PERSONAL = "personal"  # one agent's own


@dataclass(frozen=True, slots=True)
class SavedReply:
    """A canned answer: typed as ``/shortcut`` in the composer, or picked from a list."""

    id: int
    site_id: int
    shortcut: str
    title: str
    text: str
    owner_id: int | None = None  # the agent of a personal reply; None for a shared one
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def scope(self) -> ReplyScope:
        return ReplyScope.SHARED if self.owner_id is None else ReplyScope.PERSONAL

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "site_id": self.site_id,
            "shortcut": self.shortcut,
            "title": self.title,
            "text": self.text,
            "scope": self.scope.value,
            "owner_id": self.owner_id,
            "updated_at": iso(self.updated_at),
        }
