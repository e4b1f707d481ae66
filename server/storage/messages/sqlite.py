"""The embedded message store: SQLite through plain ``sqlite3``, used when no MongoDB is set.

All writes go through one writing lane (one connection, one thread, group commit); reads
go through a reading lane, and the heavy aggregations through a lane of their own so a
report never holds up a visitor's page. Reads that find a few rows by an index (a visitor,
a conversation, a page of messages) run on the event loop's thread instead
(``sqlite_inline``): cheaper than any trip. Every other method is one trip to a lane. The schema is
made and changed only by the migrations in ``migrations/embedded`` (``sqlite_migrate``).
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import orjson

from server.domain import (
    Attachment,
    Author,
    AuthorKind,
    Conflict,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    MessageRevision,
    MessageStatus,
    NotFound,
    PageView,
    Rating,
    RevisionAction,
    Visitor,
    utcnow,
)
from server.storage.batches import Batches
from server.storage.ids import UlidFactory
from server.storage.messages import rules, sqlite_migrate
from server.storage.messages.base import Appended, InboxCounts, InboxSort, VisitorData
from server.storage.messages.listing import PageCollector, VisitorList
from server.storage.messages.records import status_of
from server.storage.messages.sqlite_inline import InlineReads
from server.storage.messages.sqlite_rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    PAGE_VIEW_COLUMNS,
    VISITOR_COLUMNS,
    conversation_from_row,
    conversation_values,
    message_from_row,
    message_values,
    moment,
    page_view_from_row,
    page_view_values,
    placeholders,
    rating_text,
    read_moment,
    to_json,
    visitor_from_row,
    visitor_values,
    wire_moment,
)
from server.storage.messages.stats import STATS_GROUPS, JourneyStats, PageStat
from server.storage.outbox.sqlite_mail_queue import SqliteMailQueue
from server.storage.outbox.sqlite_webhooks import SqliteOutbox
from server.storage.reports.changes import FACTS_LINGER_S
from server.storage.reports.counts import ALL_TIME, VISIT_REACH_MS
from server.storage.reports.sqlite import SqliteReports
from server.storage.reports.sqlite_counts import SqliteReportCounts, forget_days
from server.storage.search import query as search
from server.storage.search import sqlite as sqlite_search
from server.storage.search.query import MessageHit, SearchOrder, SearchQuery
from server.storage.sqlite_lane import SqliteLane, marks

OPEN = ConversationStatus.OPEN.value
REVISION_COLUMNS = (
    "id, site_id, conversation_id, message_id, action, text, actor_kind, actor_id, "
    "actor_name, created_at"
)
VISITOR_KINDS = ", ".join(f"'{kind}'" for kind in rules.VISITOR_KINDS)
_MESSAGE_COLUMNS_OF_M = ", ".join(f"m.{c.strip()}" for c in MESSAGE_COLUMNS.split(","))
_VISITOR_COLUMNS_OF_V = ", ".join(f"v.{c.strip()}" for c in VISITOR_COLUMNS.split(","))

SAVE_VISITOR = (
    f"INSERT INTO visitors ({VISITOR_COLUMNS}) VALUES ({placeholders(VISITOR_COLUMNS)}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(
        f"{name} = excluded.{name}"
        for name in (c.strip() for c in VISITOR_COLUMNS.split(","))
        if name != "id"
    )
)
INSERT_PAGE_VIEW = (
    f"INSERT INTO page_views ({PAGE_VIEW_COLUMNS}) VALUES ({placeholders(PAGE_VIEW_COLUMNS)})"
)
INSERT_CONVERSATION = (
    f"INSERT INTO conversations ({CONVERSATION_COLUMNS}) "
    f"VALUES ({placeholders(CONVERSATION_COLUMNS)})"
)
INSERT_MESSAGE = (
    f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({placeholders(MESSAGE_COLUMNS)}) "
    "ON CONFLICT DO NOTHING"
)
OPEN_CONVERSATION = (
    f"SELECT {CONVERSATION_COLUMNS} FROM conversations "
    "WHERE site_id = ? AND visitor_id = ? AND status = ? ORDER BY id DESC LIMIT 1"
)
GET_CONVERSATION = f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE site_id = ? AND id = ?"


def _move_activity(counter: str | None, waiting: str | None) -> str:
    """The conversation after a new message: SET expressions all read the old row, so each
    CASE compares the old activity_id, and a message that lands after a newer one still
    counts as unread but leaves the activity where it is. A visitor's message starts the
    wait (min keeps an older one), an agent's answer ends it."""
    raise_counter = f", {counter} = {counter} + 1" if counter else ""
    wait = {
        "start": ", waiting_key = min(waiting_key, :id)",
        "clear": f", waiting_key = '{rules.NOT_WAITING}'",
        None: "",
    }[waiting]
    return (
        "UPDATE conversations SET "
        "activity_id = CASE WHEN activity_id < :id THEN :id ELSE activity_id END, "
        "last_activity_at = CASE WHEN activity_id < :id THEN :at ELSE last_activity_at END, "
        "preview = CASE WHEN activity_id < :id THEN :preview ELSE preview END"
        f"{raise_counter}{wait} WHERE site_id = :site_id AND id = :conversation_id "
        f"RETURNING {CONVERSATION_COLUMNS}"
    )


def _move_activity_sql(message: Message) -> str:
    key = (rules.raises_unread(message), rules.waiting_change(message))
    if key not in _MOVE_ACTIVITY:
        _MOVE_ACTIVITY[key] = _move_activity(*key)
    return _MOVE_ACTIVITY[key]


_MOVE_ACTIVITY: dict[tuple[str | None, str | None], str] = {}
LATEST_CONVERSATION = (
    f"SELECT {CONVERSATION_COLUMNS} FROM conversations "
    "WHERE site_id = ? AND visitor_id = ? ORDER BY id DESC LIMIT 1"
)
# Bounds of a read run on the event loop's thread (sqlite_inline): rows found by an index.
INLINE_ROWS = 101  # a page of messages (at most 100, and one to tell whether there is more)
INLINE_IDS = 10  # visitors or visits looked up one index probe each
RECENT_PAGE_VIEWS = (
    f"SELECT {PAGE_VIEW_COLUMNS} FROM page_views WHERE site_id = ? AND visitor_id = ? "
    "ORDER BY id DESC LIMIT ?"
)
# The visitor list (``visitor_list``): ids come as one JSON array, however many they are.
LISTED_VISITORS = (
    "SELECT id, site_id, first_seen, last_seen, visits, session_id, geo, identity, flags, "
    "json_extract(device, '$.user_agent') FROM visitors "
    # +site_id: found by their ids, never by scanning every visitor the site ever had
    "WHERE +site_id = ? AND id IN (SELECT value FROM json_each(?))"
)
# Each visitor's newest pages through the (site_id, visitor_id, id) index: from the id of
# the limit-th newest on, so a returning visitor's older pages are never read.
LISTED_PAGES = (
    "SELECT p.visitor_id, p.session_id, p.url, p.title, p.referrer, p.entered_at, "
    "p.left_at, p.seconds FROM json_each(?) AS v JOIN page_views AS p "
    "ON p.site_id = ? AND p.visitor_id = v.value AND p.id >= coalesce(("
    "  SELECT id FROM page_views WHERE site_id = ? AND visitor_id = v.value"
    "  ORDER BY id DESC LIMIT 1 OFFSET ?), '') "
    "ORDER BY p.visitor_id, p.id DESC"
)
LISTED_ENTRIES = (
    "SELECT session_id, url, referrer, entered_at FROM page_views WHERE id IN ("
    "  SELECT min(id) FROM page_views WHERE site_id = ? "
    "  AND session_id IN (SELECT value FROM json_each(?)) GROUP BY session_id)"
)
LISTED_CONVERSATIONS = (
    "SELECT visitor_id, id FROM conversations WHERE site_id = ? "
    "AND visitor_id IN (SELECT value FROM json_each(?)) AND status = ? ORDER BY id"
)
REOPEN = (
    "UPDATE conversations SET status = 'open', snoozed_until = NULL, resolved_at = NULL "
    "WHERE site_id = ? AND id = ?"
)


class SqliteMessageStore(SqliteOutbox, SqliteMailQueue, SqliteReports, SqliteReportCounts):
    def __init__(self, path: pathlib.Path, *, max_pending_writes: int = 5000) -> None:
        self._path = path
        self._writes = SqliteLane(path, writer=True, name="write", max_pending=max_pending_writes)
        self._reads = SqliteLane(path, writer=False, name="read")
        self._reports = SqliteLane(path, writer=False, name="report")
        self._fact_changes = Batches(self._write_fact_changes, linger=FACTS_LINGER_S)
        self._inline = InlineReads(path)
        self._new_id = UlidFactory()

    async def init(self) -> None:
        """Bring the file's schema up to date (migrations/embedded), then open the lanes."""
        await asyncio.to_thread(sqlite_migrate.upgrade, self._path)
        for lane in (self._writes, self._reads, self._reports):
            await lane.open()
        self._inline.open()

    async def close(self) -> None:
        self._inline.close()
        for lane in (self._writes, self._reads, self._reports):
            await lane.close()

    async def ping(self) -> bool:
        return await self._reads.run(lambda conn: conn.execute("SELECT 1").fetchone()[0] == 1)

    def new_id(self) -> str:
        return self._new_id()

    # --- visitors ---------------------------------------------------------------------

    async def save_visitor(self, visitor: Visitor) -> None:
        values = visitor_values(visitor)
        await self._writes.run(lambda conn: conn.execute(SAVE_VISITOR, values), quick=True)

    async def get_visitor(self, site_id: int, visitor_id: str) -> Visitor | None:
        row = await self._inline.one(
            f"SELECT {VISITOR_COLUMNS} FROM visitors WHERE site_id = ? AND id = ?",
            (site_id, visitor_id),
        )
        return visitor_from_row(row) if row else None

    async def find_visitor_by_fingerprint(self, site_id: int, fingerprint: str) -> Visitor | None:
        row = await self._inline.one(
            f"SELECT {VISITOR_COLUMNS} FROM visitors WHERE site_id = ? AND fingerprint = ? "
            "ORDER BY last_seen DESC, id DESC LIMIT 1",
            (site_id, fingerprint),
        )
        return visitor_from_row(row) if row else None

    async def get_visitors(self, site_id: int, visitor_ids: Sequence[str]) -> list[Visitor]:
        if not visitor_ids:
            return []
        ids = list(visitor_ids)
        rows = await self._all(
            f"SELECT {VISITOR_COLUMNS} FROM visitors WHERE site_id = ? AND id IN ({marks(ids)})",
            (site_id, *ids),
        )
        return [visitor_from_row(row) for row in rows]

    async def visitor_list(
        self, site_id: int, visitor_ids: Sequence[str], pages: int = 5
    ) -> VisitorList:
        if not visitor_ids:
            return VisitorList()
        ids = to_json(list(visitor_ids))
        loads = orjson.loads

        def read(conn: sqlite3.Connection) -> VisitorList:
            visitors = [
                {
                    "id": row[0],
                    "site_id": row[1],
                    "first_seen": wire_moment(row[2]),
                    "last_seen": wire_moment(row[3]),
                    "visits": row[4],
                    "session_id": row[5],
                    "geo": loads(row[6]),
                    "identity": loads(row[7]),
                    "flags": loads(row[8]),
                    "user_agent": row[9],
                }
                for row in conn.execute(LISTED_VISITORS, (site_id, ids))
            ]
            collector = PageCollector({v["id"]: v["session_id"] for v in visitors}, pages)
            if pages > 0:
                for row in conn.execute(LISTED_PAGES, (ids, site_id, site_id, pages - 1)):
                    collector.add(
                        row[0],
                        row[1],
                        row[2],
                        row[3],
                        row[4],
                        wire_moment(row[5]),
                        wire_moment(row[6]),
                        row[7],
                    )
            entries, missing = collector.entries()
            if missing:
                for session_id, url, referrer, entered_at in conn.execute(
                    LISTED_ENTRIES, (site_id, to_json(missing))
                ):
                    entries[session_id] = {
                        "url": url,
                        "referrer": referrer,
                        "entered_at": wire_moment(entered_at),
                    }
            # Oldest first, so a visitor's newest open conversation is the one kept.
            conversations = dict(conn.execute(LISTED_CONVERSATIONS, (site_id, ids, OPEN)))
            return VisitorList(visitors, collector.pages, entries, conversations)

        return await self._reads.run(read)

    # --- page views -------------------------------------------------------------------

    async def add_page_view(self, view: PageView) -> None:
        values = page_view_values(view)
        at = _ms(view.entered_at)

        def add(conn: sqlite3.Connection) -> None:
            conn.execute(INSERT_PAGE_VIEW, values)
            forget_days(conn, view.site_id, at, at)  # the visits of the reports' cached day

        await self._writes.run(add, quick=True)

    async def end_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None:
        await self._write(
            "UPDATE page_views SET left_at = ?, seconds = ? WHERE site_id = ? AND id = ?",
            (moment(left_at), seconds, site_id, view_id),
        )

    async def recent_page_views(
        self, site_id: int, visitor_id: str, limit: int = 5
    ) -> list[PageView]:
        if limit <= 0:
            return []
        read = self._inline.all if limit <= INLINE_ROWS else self._all
        rows = await read(RECENT_PAGE_VIEWS, (site_id, visitor_id, limit))
        return [page_view_from_row(row) for row in rows]

    # --- journeys ---------------------------------------------------------------------

    async def recent_page_views_many(
        self, site_id: int, visitor_ids: Sequence[str], limit: int = 5
    ) -> dict[str, list[PageView]]:
        if not visitor_ids or limit <= 0:
            return {}
        ids = list(visitor_ids)
        if len(ids) == 1 and limit <= INLINE_ROWS:  # one visitor's newest, through its index
            rows = await self._inline.all(RECENT_PAGE_VIEWS, (site_id, ids[0], limit))
            return {ids[0]: [page_view_from_row(row) for row in rows]} if rows else {}
        rows = await self._all(
            f"SELECT {PAGE_VIEW_COLUMNS} FROM ("
            f"  SELECT {PAGE_VIEW_COLUMNS}, row_number() OVER ("
            "    PARTITION BY visitor_id ORDER BY id DESC) AS rank"
            f"  FROM page_views WHERE site_id = ? AND visitor_id IN ({marks(ids)})"
            ") WHERE rank <= ? ORDER BY visitor_id, id DESC",
            (site_id, *ids, limit),
        )
        found: dict[str, list[PageView]] = {}
        for row in rows:
            view = page_view_from_row(row)
            found.setdefault(view.visitor_id, []).append(view)
        return found

    async def first_page_views(
        self, site_id: int, session_ids: Sequence[str]
    ) -> dict[str, PageView]:
        if not session_ids:
            return {}
        ids = list(session_ids)
        read = self._inline.all if len(ids) <= INLINE_IDS else self._all
        rows = await read(
            f"SELECT {PAGE_VIEW_COLUMNS} FROM page_views WHERE id IN ("
            f"  SELECT min(id) FROM page_views WHERE site_id = ? AND session_id IN ({marks(ids)})"
            "  GROUP BY session_id)",
            (site_id, *ids),
        )
        views = [page_view_from_row(row) for row in rows]
        return {view.session_id: view for view in views}

    async def report_page_time(
        self, site_id: int, visitor_id: str, view_id: str, seconds: float
    ) -> bool:
        changed = await self._write(
            "UPDATE page_views SET seconds = ? WHERE site_id = ? AND visitor_id = ? AND id = ?",
            (seconds, site_id, visitor_id, view_id),
        )
        return changed > 0

    async def close_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None:
        await self._write(
            "UPDATE page_views SET left_at = ?, seconds = coalesce(seconds, ?) "
            "WHERE site_id = ? AND id = ?",
            (moment(left_at), seconds, site_id, view_id),
        )

    async def journey_stats(
        self, site_id: int, since_id: str, until_id: str, limit: int = STATS_GROUPS
    ) -> JourneyStats:
        period = "site_id = ? AND id >= ? AND id < ?"
        args = (site_id, since_id, until_id)

        def count_urls(conn: sqlite3.Connection, end: str) -> list[tuple[str, int]]:
            """How many visits entered (``min``) or left (``max``) at each URL, most first."""
            return conn.execute(
                "SELECT p.url, count(*) AS n FROM page_views AS p JOIN ("
                f"  SELECT {end}(id) AS id FROM page_views WHERE {period} GROUP BY session_id"
                ") AS ends ON p.id = ends.id GROUP BY p.url ORDER BY n DESC, p.url LIMIT ?",
                (*args, limit),
            ).fetchall()

        def stats(conn: sqlite3.Connection) -> JourneyStats:
            count, sessions, visitors = conn.execute(
                "SELECT count(*), count(DISTINCT session_id), count(DISTINCT visitor_id) "
                f"FROM page_views WHERE {period}",
                args,
            ).fetchone()
            pages = conn.execute(
                "SELECT url, count(*) AS views, count(seconds), coalesce(sum(seconds), 0) "
                f"FROM page_views WHERE {period} GROUP BY url ORDER BY views DESC, url LIMIT ?",
                (*args, limit),
            ).fetchall()
            return JourneyStats(
                views=count,
                sessions=sessions,
                visitors=visitors,
                pages=[PageStat(url, n, timed, float(total)) for url, n, timed, total in pages],
                entries=count_urls(conn, "min"),
                exits=count_urls(conn, "max"),
            )

        return await self._reports.run(stats)

    async def open_conversations(
        self, site_id: int, visitor_ids: Sequence[str]
    ) -> dict[str, Conversation]:
        if not visitor_ids:
            return {}
        ids = list(visitor_ids)
        read = self._inline.all if len(ids) <= INLINE_IDS else self._all
        rows = await read(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations "
            f"WHERE site_id = ? AND visitor_id IN ({marks(ids)}) AND status = ? ORDER BY id",
            (site_id, *ids, OPEN),
        )
        # Oldest first, so the newest open conversation of a visitor is the one kept.
        return {row[2]: conversation_from_row(row) for row in rows}

    async def visitor_conversations(
        self, site_id: int, visitor_id: str, limit: int = 20
    ) -> list[Conversation]:
        if limit <= 0:
            return []
        rows = await self._all(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations "
            "WHERE site_id = ? AND visitor_id = ? ORDER BY id DESC LIMIT ?",
            (site_id, visitor_id, limit),
        )
        return [conversation_from_row(row) for row in rows]

    # --- conversations ----------------------------------------------------------------

    async def create_conversation(self, conversation: Conversation) -> Conversation:
        values = conversation_values(conversation)
        at, site_id = _ms(conversation.created_at), conversation.site_id

        def create(conn: sqlite3.Connection) -> None:
            conn.execute(INSERT_CONVERSATION, values)
            forget_days(conn, site_id, at - VISIT_REACH_MS, at)  # visits that now chatted

        await self._writes.run(create, quick=True)
        return conversation_from_row(values)

    async def get_conversation(self, site_id: int, conversation_id: str) -> Conversation | None:
        row = await self._inline.one(GET_CONVERSATION, (site_id, conversation_id))
        return conversation_from_row(row) if row else None

    async def find_open_conversation(self, site_id: int, visitor_id: str) -> Conversation | None:
        row = await self._inline.one(OPEN_CONVERSATION, (site_id, visitor_id, OPEN))
        return conversation_from_row(row) if row else None

    async def latest_conversation(self, site_id: int, visitor_id: str) -> Conversation | None:
        row = await self._inline.one(LATEST_CONVERSATION, (site_id, visitor_id))
        return conversation_from_row(row) if row else None

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
        if not site_ids or limit <= 0:
            return []
        where, args = _inbox_filter(site_ids, status, assignee_id, unassigned, tag)
        if waiting_before is not None:
            _waiting_before(where, args, site_ids, waiting_before)
        if sort is InboxSort.WAITING:
            order = "ORDER BY waiting_key, activity_id DESC LIMIT ? OFFSET ?"
            tail: tuple[Any, ...] = (limit, max(offset, 0))
        else:
            if before is not None:
                where.append("activity_id < ?")
                args.append(before)
            order, tail = "ORDER BY activity_id DESC LIMIT ?", (limit,)
        rows = await self._all(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE {' AND '.join(where)} "
            + order,
            (*args, *tail),
        )
        return [conversation_from_row(row) for row in rows]

    async def inbox_counts(
        self,
        site_ids: Sequence[int],
        agent_id: int,
        *,
        tag: str | None = None,
        missed_before: Mapping[int, str] | None = None,
    ) -> InboxCounts:
        if not site_ids:
            return InboxCounts()
        missed = 0
        if missed_before is not None:
            where, args = _inbox_filter(site_ids, ConversationStatus.OPEN, None, False, tag)
            _waiting_before(where, args, site_ids, missed_before)
            row = await self._one(
                f"SELECT count(*) FROM conversations WHERE {' AND '.join(where)}", tuple(args)
            )
            missed = row[0] if row else 0
        where, args = _inbox_filter(site_ids, None, None, False, tag)
        rows = await self._all(
            "SELECT status, assignee_id IS NULL, assignee_id = ?, count(*) FROM conversations "
            f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3",
            (agent_id, *args),
        )
        counted: dict[str, int] = {}
        for status, nobody, me, n in rows:
            counted[status] = counted.get(status, 0) + n
            if status == OPEN and nobody:
                counted["unassigned"] = counted.get("unassigned", 0) + n
            if status == OPEN and me:
                counted["mine"] = counted.get("mine", 0) + n
        return InboxCounts(
            mine=counted.get("mine", 0),
            unassigned=counted.get("unassigned", 0),
            open=counted.get(OPEN, 0),
            snoozed=counted.get(ConversationStatus.SNOOZED.value, 0),
            resolved=counted.get(ConversationStatus.RESOLVED.value, 0),
            missed=missed,
        )

    async def open_counts_by_assignee(self, site_id: int) -> dict[int, int]:
        rows = await self._all(
            "SELECT assignee_id, count(*) FROM conversations WHERE site_id = ? AND status = ? "
            "AND assignee_id IS NOT NULL GROUP BY assignee_id",
            (site_id, OPEN),
        )
        return {agent_id: n for agent_id, n in rows}

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
        resolved = status is ConversationStatus.RESOLVED
        snoozed = status is ConversationStatus.SNOOZED
        values = (
            status.value,
            moment(at or utcnow()) if resolved else None,
            moment(snoozed_until) if snoozed and snoozed_until else None,
            site_id,
            conversation_id,
        )
        guard, allowed = "", [s.value for s in only_from or ()]
        if only_from is not None:
            guard = f" AND status IN ({marks(allowed)})" if allowed else " AND 0"

        def change(conn: sqlite3.Connection) -> Any:
            return conn.execute(
                "UPDATE conversations SET status = ?, resolved_at = ?, snoozed_until = ? "
                f"WHERE site_id = ? AND id = ?{guard} RETURNING {CONVERSATION_COLUMNS}",
                (*values, *allowed),
            ).fetchone()

        row = await self._writes.run(change, quick=True)
        return conversation_from_row(row) if row else None

    async def rate_conversation_once(
        self, site_id: int, conversation_id: str, visitor_id: str, rating: Rating
    ) -> Conversation | None:
        def rate(conn: sqlite3.Connection) -> Any:
            return conn.execute(
                "UPDATE conversations SET rating = ? WHERE site_id = ? AND id = ? "
                "AND visitor_id = ? AND status = 'resolved' AND resolved_at IS NOT NULL "
                "AND (rating IS NULL OR json_extract(rating, '$.at') < resolved_at) "
                f"RETURNING {CONVERSATION_COLUMNS}",
                (rating_text(rating), site_id, conversation_id, visitor_id),
            ).fetchone()

        row = await self._writes.run(rate, quick=True)
        return conversation_from_row(row) if row else None

    async def wake_snoozed(self, now: datetime, limit: int = 100) -> list[Conversation]:
        def wake(conn: sqlite3.Connection) -> list[Any]:
            return conn.execute(
                "UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE id IN ("
                "  SELECT id FROM conversations WHERE status = 'snoozed'"
                "  AND snoozed_until IS NOT NULL AND snoozed_until <= ? LIMIT ?"
                f") RETURNING {CONVERSATION_COLUMNS}",
                (moment(now), limit),
            ).fetchall()

        rows = await self._writes.run(wake)
        return sorted((conversation_from_row(row) for row in rows), key=lambda c: c.id)

    async def assign_conversation(
        self,
        site_id: int,
        conversation_id: str,
        assignee_id: int | None,
        *,
        only_if_unassigned: bool = False,
    ) -> Conversation | None:
        guard = " AND assignee_id IS NULL" if only_if_unassigned else ""

        def change(conn: sqlite3.Connection) -> Any:
            return conn.execute(
                f"UPDATE conversations SET assignee_id = ? WHERE site_id = ? AND id = ?{guard} "
                f"RETURNING {CONVERSATION_COLUMNS}",
                (assignee_id, site_id, conversation_id),
            ).fetchone()

        row = await self._writes.run(change, quick=True)
        return conversation_from_row(row) if row else None

    async def tag_conversation(
        self,
        site_id: int,
        conversation_id: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> Conversation | None:
        def change(conn: sqlite3.Connection) -> Any:
            # One writer: the read and the write below are one step.
            row = conn.execute(GET_CONVERSATION, (site_id, conversation_id)).fetchone()
            if row is None:
                return None
            tags = rules.retagged(json.loads(row[13]), add, remove)
            return conn.execute(
                "UPDATE conversations SET tags = ? WHERE site_id = ? AND id = ? "
                f"RETURNING {CONVERSATION_COLUMNS}",
                (to_json(tags), site_id, conversation_id),
            ).fetchone()

        row = await self._writes.run(change, quick=True)
        return conversation_from_row(row) if row else None

    async def untag_site(self, site_id: int, tag: str) -> int:
        def change(conn: sqlite3.Connection) -> int:
            rows = conn.execute(
                "SELECT id, tags FROM conversations WHERE site_id = ? AND EXISTS ("
                "  SELECT 1 FROM json_each(conversations.tags) WHERE value = ?)",
                (site_id, tag),
            ).fetchall()
            for conversation_id, tags in rows:
                conn.execute(
                    "UPDATE conversations SET tags = ? WHERE id = ?",
                    (to_json(rules.retagged(json.loads(tags), (), (tag,))), conversation_id),
                )
            return len(rows)

        return await self._writes.run(change)

    async def rename_site_tag(self, site_id: int, old: str, new: str) -> int:
        def change(conn: sqlite3.Connection) -> int:
            rows = conn.execute(
                "SELECT id, tags FROM conversations WHERE site_id = ? AND EXISTS ("
                "  SELECT 1 FROM json_each(conversations.tags) WHERE value = ?)",
                (site_id, old),
            ).fetchall()
            for conversation_id, tags in rows:
                conn.execute(
                    "UPDATE conversations SET tags = ? WHERE id = ?",
                    (to_json(rules.renamed_tag(json.loads(tags), old, new)), conversation_id),
                )
            return len(rows)

        return await self._writes.run(change)

    # --- messages ---------------------------------------------------------------------

    async def append_message(self, message: Message) -> Appended:
        return await self._writes.run(lambda conn: _append(conn, message, opened=False), quick=True)

    async def append_from_visitor(
        self, message: Message, new_conversation: Conversation, *, start_new: bool = False
    ) -> Appended:
        site_id, visitor_id = new_conversation.site_id, new_conversation.visitor_id

        def append(conn: sqlite3.Connection) -> Appended:
            row = conn.execute(LATEST_CONVERSATION, (site_id, visitor_id)).fetchone()
            status = status_of(row[3]) if row else None
            if row is None or (start_new and status is ConversationStatus.RESOLVED):
                conn.execute(INSERT_CONVERSATION, conversation_values(new_conversation))
                placed = replace(message, conversation_id=new_conversation.id)
                return _append(conn, placed, opened=True)
            reopened = status is not ConversationStatus.OPEN
            if reopened:
                conn.execute(REOPEN, (site_id, row[0]))
            placed = replace(message, conversation_id=row[0])
            return _append(conn, placed, opened=False, reopened=reopened)

        return await self._writes.run(append, quick=True)

    async def list_messages(
        self,
        site_id: int,
        conversation_id: str,
        *,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Message]:
        return await self._messages_page(site_id, conversation_id, before, limit, "")

    async def list_visitor_messages(
        self,
        site_id: int,
        conversation_id: str,
        *,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Message]:
        return await self._messages_page(
            site_id, conversation_id, before, limit, f"AND kind IN ({VISITOR_KINDS}) "
        )

    async def _messages_page(
        self, site_id: int, conversation_id: str, before: str | None, limit: int, kinds: str
    ) -> list[Message]:
        if limit <= 0:
            return []
        older = "AND id < ? " if before is not None else ""
        args = (site_id, conversation_id, *((before,) if before is not None else ()), limit)
        read = self._inline.all if limit <= INLINE_ROWS else self._all
        rows = await read(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE site_id = ? AND conversation_id = ? "
            f"{kinds}{older}ORDER BY id DESC LIMIT ?",
            args,
        )
        return [message_from_row(row) for row in reversed(rows)]

    async def mark_read(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        author = rules.other_side(reader)
        counter = rules.counter_of_reader(reader)
        if author is None or counter is None:
            return []
        unread = ", ".join(f"'{status}'" for status in rules.UNREAD_STATUSES)
        from_other_side = "site_id = ? AND conversation_id = ? AND author_kind = ? AND kind = ?"
        side = (site_id, conversation_id, author.value, rules.RECEIPT_KIND)

        def mark(conn: sqlite3.Connection) -> list[str]:
            changed = conn.execute(
                f"UPDATE messages SET status = ? WHERE {from_other_side} "
                f"AND status IN ({unread}) AND id <= ? RETURNING id",
                (MessageStatus.READ.value, *side, up_to),
            ).fetchall()
            (still_unread,) = conn.execute(
                f"SELECT count(*) FROM messages WHERE {from_other_side} AND status IN ({unread})",
                side,
            ).fetchone()
            conn.execute(
                f"UPDATE conversations SET {counter} = ? WHERE site_id = ? AND id = ?",
                (still_unread, site_id, conversation_id),
            )
            return sorted(message_id for (message_id,) in changed)

        return await self._writes.run(mark, quick=True)

    async def mark_delivered(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        author = rules.other_side(reader)
        if author is None:
            return []

        def mark(conn: sqlite3.Connection) -> list[str]:
            changed = conn.execute(
                "UPDATE messages SET status = ? WHERE site_id = ? AND conversation_id = ? "
                "AND author_kind = ? AND kind = ? AND status = ? AND id <= ? RETURNING id",
                (
                    MessageStatus.DELIVERED.value,
                    site_id,
                    conversation_id,
                    author.value,
                    rules.RECEIPT_KIND,
                    MessageStatus.SENT.value,
                    up_to,
                ),
            ).fetchall()
            return sorted(message_id for (message_id,) in changed)

        return await self._writes.run(mark, quick=True)

    # --- edits, deletions, quotes ------------------------------------------------------

    async def get_message(self, site_id: int, message_id: str) -> Message | None:
        row = await self._inline.one(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE site_id = ? AND id = ?",
            (site_id, message_id),
        )
        return message_from_row(row) if row else None

    async def get_messages(self, site_id: int, message_ids: Sequence[str]) -> list[Message]:
        if not message_ids:
            return []
        ids = list(message_ids)
        read = self._inline.all if len(ids) <= INLINE_ROWS else self._all
        rows = await read(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE site_id = ? AND id IN ({marks(ids)})",
            (site_id, *ids),
        )
        return [message_from_row(row) for row in rows]

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
        return await self._revise(
            site_id, message_id, RevisionAction.EDIT, revision_id, actor, at, text
        )

    async def delete_message(
        self, site_id: int, message_id: str, *, revision_id: str, actor: Author, at: datetime
    ) -> Message | None:
        return await self._revise(
            site_id, message_id, RevisionAction.DELETE, revision_id, actor, at, None
        )

    async def _revise(
        self,
        site_id: int,
        message_id: str,
        action: RevisionAction,
        revision_id: str,
        actor: Author,
        at: datetime,
        text: str | None,
    ) -> Message | None:
        """Keep the words as they were in message_revisions, then change the message; one
        transaction. None when there is no such message, or it is deleted already."""
        change = (
            ("text = ?, edited_at = ?", (text, moment(at)))
            if action is RevisionAction.EDIT
            else ("deleted_at = ?", (moment(at),))
        )

        def revise(conn: sqlite3.Connection) -> Any:
            found = conn.execute(
                "SELECT conversation_id, text FROM messages "
                "WHERE site_id = ? AND id = ? AND deleted_at IS NULL",
                (site_id, message_id),
            ).fetchone()
            if found is None:
                return None
            conn.execute(
                f"INSERT INTO message_revisions ({REVISION_COLUMNS}) "
                f"VALUES ({placeholders(REVISION_COLUMNS)})",
                (
                    revision_id,
                    site_id,
                    found[0],
                    message_id,
                    action.value,
                    found[1],
                    actor.kind.value,
                    actor.id,
                    actor.name,
                    moment(at),
                ),
            )
            row = conn.execute(
                f"UPDATE messages SET {change[0]} WHERE site_id = ? AND id = ? "
                f"RETURNING {MESSAGE_COLUMNS}",
                (*change[1], site_id, message_id),
            ).fetchone()
            # The conversation's summary follows its newest message's words.
            conn.execute(
                "UPDATE conversations SET preview = ? "
                "WHERE site_id = ? AND id = ? AND activity_id = ?",
                (rules.preview_after_change(message_from_row(row)), site_id, found[0], message_id),
            )
            return row

        row = await self._writes.run(revise, quick=True)
        return message_from_row(row) if row else None

    async def message_revisions(self, site_id: int, message_id: str) -> list[MessageRevision]:
        rows = await self._all(
            f"SELECT {REVISION_COLUMNS} FROM message_revisions "
            "WHERE site_id = ? AND message_id = ? ORDER BY id",
            (site_id, message_id),
        )
        return [
            MessageRevision(
                id=row[0],
                site_id=row[1],
                conversation_id=row[2],
                message_id=row[3],
                action=RevisionAction(row[4]),
                text=row[5],
                actor=Author(AuthorKind(row[6]), row[7], row[8]),
                created_at=read_moment(row[9]),  # type: ignore[arg-type]
            )
            for row in rows
        ]

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
        if not site_ids or limit <= 0:
            return []
        match = sqlite_search.message_match(site_ids, query)

        def find(conn: sqlite3.Connection) -> list[Any]:
            window, args = "", [match]
            if order is SearchOrder.BEST:  # rank the newest matches only (search.BEST_WINDOW)
                floor = conn.execute(
                    sqlite_search.WINDOW_FLOOR, (match, search.BEST_WINDOW - 1)
                ).fetchone()
                if floor is not None:
                    window, args = "AND messages_fts.rowid >= ? ", [match, floor[0]]
            return conn.execute(
                f"SELECT {_MESSAGE_COLUMNS_OF_M}, {sqlite_search.SNIPPET} "
                "FROM messages_fts CROSS JOIN messages AS m ON m.rowid = messages_fts.rowid "
                "WHERE messages_fts MATCH ? AND m.deleted_at IS NULL AND m.kind != 'event' "
                f"{window}ORDER BY {sqlite_search.ORDER_BY[order.value]} LIMIT ? OFFSET ?",
                (*args, limit, max(0, offset)),
            ).fetchall()

        rows = await self._reads.run(find)
        return [MessageHit(message_from_row(row[:-1]), row[-1]) for row in rows]

    async def find_visitors(
        self,
        site_ids: Sequence[int],
        query: SearchQuery | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> list[Visitor]:
        if not site_ids or limit <= 0:
            return []
        page = (limit, max(0, offset))
        if query is None:
            sites = list(site_ids)
            rows = await self._all(
                f"SELECT {VISITOR_COLUMNS} FROM visitors WHERE site_id IN ({marks(sites)}) "
                "ORDER BY last_seen DESC, id DESC LIMIT ? OFFSET ?",
                (*sites, *page),
            )
        else:
            rows = await self._all(
                f"SELECT {_VISITOR_COLUMNS_OF_V} "
                "FROM visitors_fts CROSS JOIN visitors AS v ON v.rowid = visitors_fts.rowid "
                "WHERE visitors_fts MATCH ? ORDER BY v.last_seen DESC, v.id DESC LIMIT ? OFFSET ?",
                (sqlite_search.visitor_match(site_ids, query), *page),
            )
        return [visitor_from_row(row) for row in rows]

    async def conversation_counts(
        self, site_ids: Sequence[int], visitor_ids: Sequence[str]
    ) -> dict[str, int]:
        if not site_ids or not visitor_ids:
            return {}
        sites, ids = list(site_ids), list(visitor_ids)
        rows = await self._all(
            "SELECT visitor_id, count(*) FROM conversations "
            f"WHERE site_id IN ({marks(sites)}) AND visitor_id IN ({marks(ids)}) "
            "GROUP BY visitor_id",
            (*sites, *ids),
        )
        return dict(rows)

    async def get_conversations(
        self, site_ids: Sequence[int], conversation_ids: Sequence[str]
    ) -> list[Conversation]:
        if not site_ids or not conversation_ids:
            return []
        sites, ids = list(site_ids), list(conversation_ids)
        rows = await self._all(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations "
            f"WHERE site_id IN ({marks(sites)}) AND id IN ({marks(ids)})",
            (*sites, *ids),
        )
        return [conversation_from_row(row) for row in rows]

    async def visitor_notes(self, site_id: int, visitor_id: str, limit: int = 20) -> list[Message]:
        if limit <= 0:
            return []
        rows = await self._all(
            f"SELECT {_MESSAGE_COLUMNS_OF_M} FROM conversations AS c "
            "JOIN messages AS m ON m.conversation_id = c.id "
            "WHERE c.site_id = ? AND c.visitor_id = ? AND m.site_id = ? AND m.kind = ? "
            "AND m.deleted_at IS NULL ORDER BY m.id DESC LIMIT ?",
            (site_id, visitor_id, site_id, MessageKind.NOTE.value, limit),
        )
        return [message_from_row(row) for row in rows]

    # --- helpers ----------------------------------------------------------------------

    # --- privacy: a visitor's data, erasure, retention -------------------------------

    async def export_visitor(self, site_id: int, visitor_id: str) -> VisitorData | None:
        visitor = await self.get_visitor(site_id, visitor_id)
        if visitor is None:
            return None
        views = await self._all(
            f"SELECT {PAGE_VIEW_COLUMNS} FROM page_views "
            "WHERE site_id = ? AND visitor_id = ? ORDER BY id",
            (site_id, visitor_id),
        )
        conversations = await self._all(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations "
            "WHERE site_id = ? AND visitor_id = ? ORDER BY id",
            (site_id, visitor_id),
        )
        ids = [row[0] for row in conversations]
        messages = (
            await self._all(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE site_id = ? "
                f"AND conversation_id IN ({marks(ids)}) AND kind IN ({VISITOR_KINDS}) "
                "ORDER BY id",
                (site_id, *ids),
            )
            if ids
            else []
        )
        return VisitorData(
            visitor,
            [page_view_from_row(row) for row in views],
            [conversation_from_row(row) for row in conversations],
            [message_from_row(row) for row in messages],
        )

    async def erase_visitor(
        self, site_id: int, visitor_id: str, author_name: str
    ) -> list[Attachment] | None:
        def erase(conn: sqlite3.Connection) -> list[Attachment] | None:
            known = "SELECT 1 FROM visitors WHERE site_id = ? AND id = ?"
            if conn.execute(known, (site_id, visitor_id)).fetchone() is None:
                return None
            theirs = "site_id = ? AND author_kind = 'visitor' AND author_id = ?"
            rows = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE {theirs}", (site_id, visitor_id)
            ).fetchall()
            conn.execute(
                "DELETE FROM message_revisions WHERE site_id = ? AND message_id IN "
                f"(SELECT id FROM messages WHERE {theirs})",
                (site_id, site_id, visitor_id),
            )
            conn.execute(
                f"UPDATE messages SET author_name = ?, attachments = '[]' WHERE {theirs}",
                (author_name, site_id, visitor_id),
            )
            conn.execute(
                "DELETE FROM page_views WHERE site_id = ? AND visitor_id = ?",
                (site_id, visitor_id),
            )
            conn.execute("DELETE FROM visitors WHERE site_id = ? AND id = ?", (site_id, visitor_id))
            forget_days(conn, site_id, *ALL_TIME)  # the reports count their visits no more
            return [a for row in rows for a in message_from_row(row).attachments]

        return await self._writes.run(erase)

    async def attachments_in_use(
        self, site_id: int, since_id: str, until_id: str, names: Sequence[str]
    ) -> set[str]:
        wanted = set(names)
        if not wanted:
            return set()
        rows = await self._all(
            "SELECT attachments FROM messages "
            "WHERE site_id = ? AND id >= ? AND id < ? AND attachments != '[]'",
            (site_id, since_id, until_id),
        )
        return wanted & {a.get("name") for row in rows for a in json.loads(row[0])}

    async def delete_older_than(self, site_id: int, before_id: str) -> list[Attachment]:
        def delete(conn: sqlite3.Connection) -> list[Attachment]:
            rows = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages "
                "WHERE site_id = ? AND id < ? AND attachments != '[]'",
                (site_id, before_id),
            ).fetchall()
            args = (site_id, before_id)
            conn.execute("DELETE FROM message_revisions WHERE site_id = ? AND message_id < ?", args)
            conn.execute("DELETE FROM messages WHERE site_id = ? AND id < ?", args)
            conn.execute("DELETE FROM conversations WHERE site_id = ? AND activity_id < ?", args)
            conn.execute("DELETE FROM page_views WHERE site_id = ? AND id < ?", args)
            forget_days(conn, site_id, *ALL_TIME)
            return [a for row in rows for a in message_from_row(row).attachments]

        return await self._writes.run(delete)

    async def _one(self, sql: str, args: Sequence[Any]) -> Any:
        return await self._reads.run(lambda conn: conn.execute(sql, args).fetchone())

    async def _all(self, sql: str, args: Sequence[Any]) -> list[Any]:
        return await self._reads.run(lambda conn: conn.execute(sql, args).fetchall())

    async def _write(self, sql: str, args: Sequence[Any]) -> int:
        """Run one statement in the writing lane; how many rows it changed."""
        return await self._writes.run(lambda conn: conn.execute(sql, args).rowcount, quick=True)


def _append(
    conn: sqlite3.Connection, message: Message, *, opened: bool, reopened: bool = False
) -> Appended:
    """Insert ``message`` (or find its earlier copy) and move its conversation along."""
    values = message_values(message)
    if conn.execute(INSERT_MESSAGE, values).rowcount == 0:
        stored = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages "
            "WHERE site_id = ? AND conversation_id = ? AND client_id = ?",
            (message.site_id, message.conversation_id, message.client_id),
        ).fetchone()
        if stored is None:
            raise Conflict(f"message {message.id} clashes with a stored one", "duplicate_id")
        row = conn.execute(GET_CONVERSATION, (message.site_id, message.conversation_id)).fetchone()
        found = message_from_row(stored)
        return Appended(found, conversation_from_row(row), created=False, reopened=reopened)
    if not rules.moves_conversation(message):  # a note: the conversation stays as it was
        row = conn.execute(GET_CONVERSATION, (message.site_id, message.conversation_id)).fetchone()
        if row is None:  # rolled back with the message by the lane's savepoint
            raise NotFound("no such conversation")
        stored = message_from_row(values)
        conversation = conversation_from_row(row)
        return Appended(stored, conversation, created=True, opened=opened, reopened=reopened)
    row = conn.execute(
        _move_activity_sql(message),
        {
            "id": message.id,
            "at": moment(message.created_at),
            "preview": rules.preview_of(message),
            "site_id": message.site_id,
            "conversation_id": message.conversation_id,
        },
    ).fetchone()
    if row is None:  # rolled back with the message by the lane's savepoint
        raise NotFound("no such conversation")
    return Appended(
        message_from_row(values),  # as it reads back (times cut to the millisecond)
        conversation_from_row(row),
        created=True,
        opened=opened,
        reopened=reopened,
    )


def _waiting_before(
    where: list[str], args: list[Any], site_ids: Sequence[int], keys: Mapping[int, str]
) -> None:
    """Only conversations waiting since before their site's key (see rules.waiting_key)."""
    limits = [(site_id, keys[site_id]) for site_id in site_ids if site_id in keys]
    if not limits:
        where.append("0")
        return
    where.append("(" + " OR ".join("(site_id = ? AND waiting_key < ?)" for _ in limits) + ")")
    for site_id, key in limits:
        args.extend((site_id, key))


def _inbox_filter(
    site_ids: Sequence[int],
    status: ConversationStatus | None,
    assignee_id: int | None,
    unassigned: bool,
    tag: str | None,
) -> tuple[list[str], list[Any]]:
    sites = list(site_ids)
    where, args = [f"site_id IN ({marks(sites)})"], [*sites]
    if status is not None:
        where.append("status = ?")
        args.append(status.value)
    if assignee_id is not None:
        where.append("assignee_id = ?")
        args.append(assignee_id)
    elif unassigned:
        where.append("assignee_id IS NULL")
    if tag is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(conversations.tags) WHERE value = ?)")
        args.append(tag)
    return where, args


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
