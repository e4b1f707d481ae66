"""The message store: conversations, messages, visitors and page views.

Two implementations satisfy this protocol and one contract suite (tests/storage):
``SqliteMessageStore`` (the embedded default) and ``MongoMessageStore``. Every method takes
the ``site_id`` it works in and never returns another site's data. Ids are ULID strings
made by the store; list methods page by id, never by datetime.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from server.domain import (
    Attachment,
    Author,
    AuthorKind,
    Conversation,
    ConversationStatus,
    Message,
    MessageRevision,
    PageView,
    Rating,
    Visitor,
)
from server.storage.messages.listing import VisitorList
from server.storage.messages.stats import STATS_GROUPS, JourneyStats
from server.storage.outbox.mail_queue import MailQueueStore
from server.storage.outbox.webhooks import OutboxStore
from server.storage.reports.base import ReportStore, VisitReportStore
from server.storage.search.query import MessageHit, SearchOrder, SearchQuery


class StoreSchemaError(RuntimeError):
    """The store's schema cannot be brought up to date; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Appended:
    """What an append did: the stored message, its conversation as it is now, whether the
    message is new (False: a resend of a known ``client_id``) and whether the append opened
    the conversation."""

    message: Message
    conversation: Conversation
    created: bool
    opened: bool = False
    reopened: bool = False  # a visitor's message brought a resolved or snoozed one back


class InboxSort(StrEnum):
    ACTIVITY = "activity"  # newest activity first; pages with ``before`` (an activity_id)
    WAITING = "waiting"  # longest waiting first, then newest activity; pages with ``offset``


@dataclass(frozen=True, slots=True)
class InboxCounts:
    """How many conversations each inbox view holds, for one agent."""

    mine: int = 0  # open, assigned to the agent
    unassigned: int = 0  # open, assigned to nobody
    open: int = 0
    snoozed: int = 0
    resolved: int = 0
    missed: int = 0  # open, waiting longer than the site's missed time (when asked)

    def to_wire(self) -> dict[str, int]:
        return {
            "missed": self.missed,
            "mine": self.mine,
            "unassigned": self.unassigned,
            "open": self.open,
            "snoozed": self.snoozed,
            "resolved": self.resolved,
        }


@dataclass(frozen=True, slots=True)
class VisitorData:
    """Everything the store holds about one visitor: never the team's private notes."""

    visitor: Visitor
    page_views: list[PageView]
    conversations: list[Conversation]
    messages: list[Message]  # the kinds the visitor may see, oldest first


class MessageStore(OutboxStore, MailQueueStore, ReportStore, VisitReportStore, Protocol):
    async def init(self) -> None:
        """Create tables / collections and indexes. Safe to call on every start."""

    async def close(self) -> None: ...

    async def ping(self) -> bool:
        """True when the backing database answers (health checks)."""

    def new_id(self) -> str:
        """A fresh ULID for a visitor, conversation, page view or message."""

    # --- visitors ---------------------------------------------------------------------
    async def save_visitor(self, visitor: Visitor) -> None:
        """Insert or replace the whole visitor document."""

    async def get_visitor(self, site_id: int, visitor_id: str) -> Visitor | None: ...

    async def find_visitor_by_fingerprint(self, site_id: int, fingerprint: str) -> Visitor | None:
        """The most recently seen visitor of this site with this fingerprint hash."""

    async def get_visitors(self, site_id: int, visitor_ids: Sequence[str]) -> list[Visitor]:
        """The visitors that exist among ``visitor_ids`` (any order)."""

    async def visitor_list(
        self, site_id: int, visitor_ids: Sequence[str], pages: int = 5
    ) -> VisitorList:
        """What the live visitor list shows of the visitors that exist among
        ``visitor_ids`` (any order): each one's ``pages`` newest page views, the first page
        of each one's current visit, their newest open conversation's id. One query per
        kind however many visitors; rows in wire form (see ``listing``)."""

    # --- page views -------------------------------------------------------------------
    async def add_page_view(self, view: PageView) -> None: ...

    async def end_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None: ...

    async def recent_page_views(
        self, site_id: int, visitor_id: str, limit: int = 5
    ) -> list[PageView]:
        """Newest first."""

    # --- journeys: many visitors at once, visible time, visits, analytics ----------------
    async def recent_page_views_many(
        self, site_id: int, visitor_ids: Sequence[str], limit: int = 5
    ) -> dict[str, list[PageView]]:
        """Each visitor's ``limit`` newest page views, newest first; visitors without any
        are absent. One round trip however many visitors (the live list shows hundreds)."""

    async def first_page_views(
        self, site_id: int, session_ids: Sequence[str]
    ) -> dict[str, PageView]:
        """The first page view of each visit (session), by session id."""

    async def report_page_time(
        self, site_id: int, visitor_id: str, view_id: str, seconds: float
    ) -> bool:
        """Set the visible seconds of one of this visitor's page views (the widget measures
        them); False when the visitor has no such page view."""

    async def close_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None:
        """Set ``left_at``; ``seconds`` only when no visible time was reported."""

    async def journey_stats(
        self, site_id: int, since_id: str, until_id: str, limit: int = STATS_GROUPS
    ) -> JourneyStats:
        """Page views with ``since_id <= id < until_id``: totals, then at most ``limit``
        URLs per list, the most viewed (or most entered / exited) first."""

    async def open_conversations(
        self, site_id: int, visitor_ids: Sequence[str]
    ) -> dict[str, Conversation]:
        """Each visitor's newest open conversation, for visitors that have one."""

    async def visitor_conversations(
        self, site_id: int, visitor_id: str, limit: int = 20
    ) -> list[Conversation]:
        """The visitor's conversations, open or closed, newest first."""

    # --- conversations ----------------------------------------------------------------
    async def create_conversation(self, conversation: Conversation) -> Conversation: ...

    async def get_conversation(self, site_id: int, conversation_id: str) -> Conversation | None: ...

    async def find_open_conversation(self, site_id: int, visitor_id: str) -> Conversation | None:
        """The visitor's newest conversation whose status is open."""

    async def latest_conversation(self, site_id: int, visitor_id: str) -> Conversation | None:
        """The visitor's newest conversation, whatever its status: the one the widget shows."""

    async def list_conversations(
        self,
        site_ids: Sequence[int],
        *,
        status: ConversationStatus | None = None,
        assignee_id: int | None = None,
        unassigned: bool = False,
        tag: str | None = None,
        waiting_before: Mapping[int, str] | None = None,
        sort: InboxSort = InboxSort.ACTIVITY,
        before: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> list[Conversation]:
        """One inbox view. ``assignee_id``: that agent's only; ``unassigned``: nobody's;
        ``tag``: carrying that tag; ``waiting_before``: per site, only those whose
        ``waiting_key`` is below the site's key (waiting since before then). Activity
        sort: newest first, ``before`` an ``activity_id``. Waiting sort: the longest
        waiting first, then the answered ones by newest activity; ``offset`` skips that
        many."""

    async def inbox_counts(
        self,
        site_ids: Sequence[int],
        agent_id: int,
        *,
        tag: str | None = None,
        missed_before: Mapping[int, str] | None = None,
    ) -> InboxCounts:
        """How many conversations each view holds (Mine is ``agent_id``'s); with
        ``missed_before`` (``waiting_before`` of ``list_conversations``) also the open
        ones waiting since before it."""

    async def open_counts_by_assignee(self, site_id: int) -> dict[int, int]:
        """Open conversations per assigned agent (agents with none are absent)."""

    async def set_conversation_status(
        self,
        site_id: int,
        conversation_id: str,
        status: ConversationStatus,
        *,
        at: datetime | None = None,
        snoozed_until: datetime | None = None,
        only_from: Sequence[ConversationStatus] | None = None,
    ) -> Conversation | None:
        """Move the conversation to ``status``: resolved sets ``resolved_at`` to ``at``,
        snoozed sets ``snoozed_until`` (None: until the visitor writes), and each clears
        the other's field. With ``only_from``, only a conversation in one of those statuses
        changes. None when no conversation changed."""

    async def rate_conversation_once(
        self, site_id: int, conversation_id: str, visitor_id: str, rating: Rating
    ) -> Conversation | None:
        """The visitor's rating of their resolved conversation, kept only when it is theirs,
        resolved, and not rated since its latest resolution (one rating per resolution,
        however many tabs send one at once). None when nothing was kept."""

    async def wake_snoozed(self, now: datetime, limit: int = 100) -> list[Conversation]:
        """Open the snoozed conversations (any site) whose ``snoozed_until`` has passed.
        Each wakes once however many nodes ask at the same moment: the answer holds only
        those this call woke."""

    async def assign_conversation(
        self,
        site_id: int,
        conversation_id: str,
        assignee_id: int | None,
        *,
        only_if_unassigned: bool = False,
    ) -> Conversation | None:
        """Set (or clear) the assignee; None when no conversation changed."""

    async def tag_conversation(
        self,
        site_id: int,
        conversation_id: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> Conversation | None:
        """Add and remove tag names (a tag is on a conversation once); None when the
        conversation does not exist."""

    async def untag_site(self, site_id: int, tag: str) -> int:
        """Take a deleted tag off every conversation of the site; how many changed."""

    async def rename_site_tag(self, site_id: int, old: str, new: str) -> int:
        """A renamed tag: every conversation of the site carrying ``old`` carries ``new`` in
        its place; how many changed."""

    # --- messages ---------------------------------------------------------------------
    async def append_message(self, message: Message) -> Appended:
        """Store ``message`` unless one with its ``client_id`` exists in the conversation.

        A resend gives back the message stored the first time with ``created=False``, and
        changes nothing. On creation the conversation's ``activity_id``,
        ``last_activity_at`` and ``preview`` move to this message and the other side's
        unread count goes up by one; a private note moves none of them. NotFound when the
        conversation does not exist.
        """

    async def append_from_visitor(
        self, message: Message, new_conversation: Conversation, *, start_new: bool = False
    ) -> Appended:
        """Append a visitor's ``message`` to their newest conversation, in one step, so a
        visitor's message costs one round trip. A snoozed or resolved conversation is
        opened again (``reopened=True``); with no conversation, or ``start_new`` and a
        resolved newest one, ``new_conversation`` is created (``opened=True``). The
        message's own ``conversation_id`` is ignored."""

    async def list_messages(
        self,
        site_id: int,
        conversation_id: str,
        *,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Message]:
        """The ``limit`` newest messages older than ``before``, returned oldest first."""

    async def list_visitor_messages(
        self,
        site_id: int,
        conversation_id: str,
        *,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Message]:
        """As ``list_messages``, of the kinds a visitor may read only (``rules.VISITOR_KINDS``:
        never a private note), filtered in the query itself. Every visitor-facing read of
        messages goes through here."""

    async def get_message(self, site_id: int, message_id: str) -> Message | None: ...

    async def get_messages(self, site_id: int, message_ids: Sequence[str]) -> list[Message]:
        """The messages of the site among ``message_ids`` (any order): quoted ones."""

    async def edit_message(
        self,
        site_id: int,
        message_id: str,
        text: str,
        *,
        revision_id: str,
        actor: Author,
        at: datetime,
    ) -> Message | None:
        """Replace the words (``edited_at`` = ``at``), keeping the old ones as a revision
        (``revision_id``, ``actor``). None when there is no such message in the site, or it
        was deleted."""

    async def delete_message(
        self, site_id: int, message_id: str, *, revision_id: str, actor: Author, at: datetime
    ) -> Message | None:
        """Set ``deleted_at``; the words stay in the store and in a revision. None when
        there is no such message, or it was deleted already."""

    async def message_revisions(self, site_id: int, message_id: str) -> list[MessageRevision]:
        """What the message said before each edit and its deletion, oldest first."""

    async def mark_read(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        """Mark the other side's messages (kind ``message``: never a note, which nobody
        reads, nor a system line) with id <= ``up_to`` read by ``reader``.

        Returns the ids that changed status, oldest first, and recounts the reader's unread
        counter on the conversation (messages from the other side after ``up_to``).
        """

    async def mark_delivered(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        """Mark the other side's ``sent`` messages with id <= ``up_to`` delivered to ``reader``.

        Returns the ids that changed status, oldest first. Read messages stay read and
        unread counters do not move: delivered is still unread.
        """

    # --- finding things: search and contacts -----------------------------------------
    async def search_messages(
        self,
        site_ids: Sequence[int],
        query: SearchQuery,
        *,
        order: SearchOrder = SearchOrder.NEWEST,
        offset: int = 0,
        limit: int = 20,
    ) -> list[MessageHit]:
        """Messages of these sites holding every phrase of ``query`` (case and accents
        ignored), each with an excerpt whose matches sit between ``search.MARK_START`` and
        ``search.MARK_END``. Notes are found; deleted messages and events are not.
        ``newest``: the most recently stored first; ``best``: of the newest
        ``search.BEST_WINDOW`` matches, the best first (BM25 / text score), then the newest."""

    async def find_visitors(
        self,
        site_ids: Sequence[int],
        query: SearchQuery | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> list[Visitor]:
        """Every visitor of these sites (``query``: those whose name or e-mail address
        holds every phrase), online or not, the most recently seen first."""

    async def conversation_counts(
        self, site_ids: Sequence[int], visitor_ids: Sequence[str]
    ) -> dict[str, int]:
        """How many conversations each visitor has had; visitors without any are absent."""

    async def get_conversations(
        self, site_ids: Sequence[int], conversation_ids: Sequence[str]
    ) -> list[Conversation]:
        """The conversations among ``conversation_ids`` that belong to these sites."""

    async def visitor_notes(self, site_id: int, visitor_id: str, limit: int = 20) -> list[Message]:
        """Agents' private notes in any of the visitor's conversations, newest first; deleted
        ones left out (the profile shows what the team wrote about a person)."""

    # --- privacy: a visitor's data, erasure, retention -------------------------------
    async def export_visitor(self, site_id: int, visitor_id: str) -> VisitorData | None:
        """The visitor, their page views, conversations and the messages in them that the
        visitor may see (never a note), oldest first; None when there is no such visitor."""

    async def erase_visitor(
        self, site_id: int, visitor_id: str, author_name: str
    ) -> list[Attachment] | None:
        """Forget the visitor (profile, fingerprint, page views) and attribute their
        messages to ``author_name`` without attachments or earlier versions. Returns the
        attachments whose files must be deleted; None when there is no such visitor."""

    async def attachments_in_use(
        self, site_id: int, since_id: str, until_id: str, names: Sequence[str]
    ) -> set[str]:
        """Which of ``names`` (file store keys) a message of the site with an id from
        ``since_id`` up to ``until_id`` carries as an attachment. Retention deletes the
        uploads never sent; a file can only be sent in the hour after its upload, so the
        ids bound the search."""

    async def delete_older_than(self, site_id: int, before_id: str) -> list[Attachment]:
        """Retention: delete the site's page views and messages with ids before
        ``before_id`` (a ULID of the cut-off time) and the conversations with no newer
        activity. Returns the attachments whose files must be deleted."""
