"""The embedded message store: SQLite through SQLAlchemy Core, used when no MongoDB is set."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, event, func, literal, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from server.domain import (
    AuthorKind,
    Conflict,
    Conversation,
    ConversationStatus,
    Message,
    MessageStatus,
    PageView,
    Visitor,
)
from server.storage.ids import UlidFactory
from server.storage.messages import records, rules
from server.storage.messages.sqlite_schema import (
    UtcDateTime,
    conversations,
    messages,
    metadata,
    page_views,
    visitors,
)
from server.storage.messages.stats import STATS_GROUPS, JourneyStats, PageStat


def _enable_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL keeps every commit consistent and only risks the last ones on power loss.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _create_missing_indexes(sync_conn: Any) -> None:
    """create_all skips tables that exist, with their indexes; an index added to the
    schema later is created here, on files made by an older version."""
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(sync_conn, checkfirst=True)


class SqliteMessageStore:
    def __init__(self, path: pathlib.Path) -> None:
        self._engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        event.listen(self._engine.sync_engine, "connect", _enable_wal)
        self._new_id = UlidFactory()

    async def init(self) -> None:
        async with self._engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.run_sync(_create_missing_indexes)

    async def close(self) -> None:
        await self._engine.dispose()

    async def ping(self) -> bool:
        async with self._engine.connect() as conn:
            await conn.execute(select(1))
        return True

    def new_id(self) -> str:
        return self._new_id()

    # --- visitors ---------------------------------------------------------------------

    async def save_visitor(self, visitor: Visitor) -> None:
        row = records.visitor_record(visitor)
        statement = insert(visitors).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=[visitors.c.id],
            set_={name: statement.excluded[name] for name in row if name != "id"},
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def get_visitor(self, site_id: int, visitor_id: str) -> Visitor | None:
        query = select(visitors).where(visitors.c.site_id == site_id, visitors.c.id == visitor_id)
        row = await self._first(query)
        return records.visitor_from_record(row) if row else None

    async def find_visitor_by_fingerprint(self, site_id: int, fingerprint: str) -> Visitor | None:
        query = (
            select(visitors)
            .where(visitors.c.site_id == site_id, visitors.c.fingerprint == fingerprint)
            .order_by(visitors.c.last_seen.desc(), visitors.c.id.desc())
            .limit(1)
        )
        row = await self._first(query)
        return records.visitor_from_record(row) if row else None

    async def get_visitors(self, site_id: int, visitor_ids: Sequence[str]) -> list[Visitor]:
        if not visitor_ids:
            return []
        query = select(visitors).where(
            visitors.c.site_id == site_id, visitors.c.id.in_(list(visitor_ids))
        )
        return [records.visitor_from_record(row) for row in await self._all(query)]

    # --- page views -------------------------------------------------------------------

    async def add_page_view(self, view: PageView) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(page_views).values(records.page_view_record(view)))

    async def end_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None:
        statement = (
            update(page_views)
            .where(page_views.c.site_id == site_id, page_views.c.id == view_id)
            .values(left_at=left_at, seconds=seconds)
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def recent_page_views(
        self, site_id: int, visitor_id: str, limit: int = 5
    ) -> list[PageView]:
        if limit <= 0:
            return []
        query = (
            select(page_views)
            .where(page_views.c.site_id == site_id, page_views.c.visitor_id == visitor_id)
            .order_by(page_views.c.id.desc())
            .limit(limit)
        )
        return [records.page_view_from_record(row) for row in await self._all(query)]

    # --- journeys ---------------------------------------------------------------------

    async def recent_page_views_many(
        self, site_id: int, visitor_ids: Sequence[str], limit: int = 5
    ) -> dict[str, list[PageView]]:
        if not visitor_ids or limit <= 0:
            return {}
        pv = page_views.c
        rank = func.row_number().over(partition_by=pv.visitor_id, order_by=pv.id.desc())
        ranked = (
            select(page_views, rank.label("rank"))
            .where(pv.site_id == site_id, pv.visitor_id.in_(list(visitor_ids)))
            .subquery()
        )
        query = (
            select(*(ranked.c[column.name] for column in page_views.c))
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.visitor_id, ranked.c.id.desc())
        )
        found: dict[str, list[PageView]] = {}
        for row in await self._all(query):
            found.setdefault(row["visitor_id"], []).append(records.page_view_from_record(row))
        return found

    async def first_page_views(
        self, site_id: int, session_ids: Sequence[str]
    ) -> dict[str, PageView]:
        if not session_ids:
            return {}
        pv = page_views.c
        first = (
            select(func.min(pv.id).label("id"))
            .where(pv.site_id == site_id, pv.session_id.in_(list(session_ids)))
            .group_by(pv.session_id)
            .subquery()
        )
        query = select(page_views).join(first, pv.id == first.c.id)
        views = [records.page_view_from_record(row) for row in await self._all(query)]
        return {view.session_id: view for view in views}

    async def report_page_time(
        self, site_id: int, visitor_id: str, view_id: str, seconds: float
    ) -> bool:
        pv = page_views.c
        statement = (
            update(page_views)
            .where(pv.site_id == site_id, pv.visitor_id == visitor_id, pv.id == view_id)
            .values(seconds=seconds)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(statement)).rowcount > 0

    async def close_page_view(
        self, site_id: int, view_id: str, left_at: datetime, seconds: float
    ) -> None:
        pv = page_views.c
        statement = (
            update(page_views)
            .where(pv.site_id == site_id, pv.id == view_id)
            .values(left_at=left_at, seconds=func.coalesce(pv.seconds, seconds))
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def journey_stats(
        self, site_id: int, since_id: str, until_id: str, limit: int = STATS_GROUPS
    ) -> JourneyStats:
        pv = page_views.c
        in_period = (pv.site_id == site_id, pv.id >= since_id, pv.id < until_id)
        totals = select(
            func.count(),
            func.count(pv.session_id.distinct()),
            func.count(pv.visitor_id.distinct()),
        ).where(*in_period)
        views = func.count().label("views")
        pages = (
            select(pv.url, views, func.count(pv.seconds), func.coalesce(func.sum(pv.seconds), 0))
            .where(*in_period)
            .group_by(pv.url)
            .order_by(views.desc(), pv.url)
            .limit(limit)
        )
        bounds = (
            select(func.min(pv.id).label("first"), func.max(pv.id).label("last"))
            .where(*in_period)
            .group_by(pv.session_id)
            .subquery()
        )
        async with self._engine.connect() as conn:
            count, sessions, visitors = (await conn.execute(totals)).one()
            page_rows = (await conn.execute(pages)).all()
            entries = await self._count_urls(conn, bounds.c.first, limit)
            exits = await self._count_urls(conn, bounds.c.last, limit)
        return JourneyStats(
            views=count,
            sessions=sessions,
            visitors=visitors,
            pages=[PageStat(url, n, timed, float(total)) for url, n, timed, total in page_rows],
            entries=entries,
            exits=exits,
        )

    async def _count_urls(
        self, conn: AsyncConnection, view_id: Any, limit: int
    ) -> list[tuple[str, int]]:
        """How many of the ``view_id``s (a subquery column) show each URL, most first."""
        n = func.count().label("n")
        query = (
            select(page_views.c.url, n)
            .join_from(page_views, view_id.table, page_views.c.id == view_id)
            .group_by(page_views.c.url)
            .order_by(n.desc(), page_views.c.url)
            .limit(limit)
        )
        return [(url, count) for url, count in (await conn.execute(query)).all()]

    async def open_conversations(
        self, site_id: int, visitor_ids: Sequence[str]
    ) -> dict[str, Conversation]:
        if not visitor_ids:
            return {}
        c = conversations.c
        query = (
            select(conversations)
            .where(
                c.site_id == site_id,
                c.visitor_id.in_(list(visitor_ids)),
                c.status == ConversationStatus.OPEN.value,
            )
            .order_by(c.id)
        )
        # Oldest first, so the newest open conversation of a visitor is the one kept.
        return {
            row["visitor_id"]: records.conversation_from_record(row)
            for row in await self._all(query)
        }

    async def visitor_conversations(
        self, site_id: int, visitor_id: str, limit: int = 20
    ) -> list[Conversation]:
        if limit <= 0:
            return []
        c = conversations.c
        query = (
            select(conversations)
            .where(c.site_id == site_id, c.visitor_id == visitor_id)
            .order_by(c.id.desc())
            .limit(limit)
        )
        return [records.conversation_from_record(row) for row in await self._all(query)]

    # --- conversations ----------------------------------------------------------------

    async def create_conversation(self, conversation: Conversation) -> Conversation:
        row = records.conversation_record(conversation)
        async with self._engine.begin() as conn:
            await conn.execute(insert(conversations).values(row))
        return records.conversation_from_record(row)

    async def get_conversation(self, site_id: int, conversation_id: str) -> Conversation | None:
        query = select(conversations).where(
            conversations.c.site_id == site_id, conversations.c.id == conversation_id
        )
        row = await self._first(query)
        return records.conversation_from_record(row) if row else None

    async def find_open_conversation(self, site_id: int, visitor_id: str) -> Conversation | None:
        query = (
            select(conversations)
            .where(
                conversations.c.site_id == site_id,
                conversations.c.visitor_id == visitor_id,
                conversations.c.status == ConversationStatus.OPEN.value,
            )
            .order_by(conversations.c.id.desc())
            .limit(1)
        )
        row = await self._first(query)
        return records.conversation_from_record(row) if row else None

    async def list_conversations(
        self,
        site_ids: Sequence[int],
        *,
        status: ConversationStatus | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Conversation]:
        if not site_ids or limit <= 0:
            return []
        query = select(conversations).where(conversations.c.site_id.in_(list(site_ids)))
        if status is not None:
            query = query.where(conversations.c.status == status.value)
        if before is not None:
            query = query.where(conversations.c.activity_id < before)
        query = query.order_by(conversations.c.activity_id.desc()).limit(limit)
        return [records.conversation_from_record(row) for row in await self._all(query)]

    async def set_conversation_status(
        self, site_id: int, conversation_id: str, status: ConversationStatus
    ) -> Conversation | None:
        statement = (
            update(conversations)
            .where(conversations.c.site_id == site_id, conversations.c.id == conversation_id)
            .values(status=status.value)
            .returning(*conversations.c)
        )
        async with self._engine.begin() as conn:
            row = (await conn.execute(statement)).mappings().first()
        return records.conversation_from_record(row) if row else None

    # --- messages ---------------------------------------------------------------------

    async def append_message(self, message: Message) -> tuple[Message, bool]:
        row = records.message_record(message)
        statement = insert(messages).values(row).on_conflict_do_nothing()
        async with self._engine.begin() as conn:
            # Writing first takes the write lock at once, so the transaction stays short.
            if (await conn.execute(statement)).rowcount == 0:
                return await self._stored_resend(conn, message), False
            await self._move_activity(conn, message)
        return records.message_from_record(row), True

    async def _stored_resend(self, conn: AsyncConnection, message: Message) -> Message:
        query = select(messages).where(
            messages.c.site_id == message.site_id,
            messages.c.conversation_id == message.conversation_id,
            messages.c.client_id == message.client_id,
        )
        row = (await conn.execute(query)).mappings().first()
        if row is None:
            raise Conflict(f"message {message.id} clashes with a stored one", "duplicate_id")
        return records.message_from_record(row)

    async def _move_activity(self, conn: AsyncConnection, message: Message) -> None:
        # SET expressions all read the old row, so each CASE compares the old activity_id:
        # a message that lands after a newer one still counts as unread but leaves the
        # activity where it is.
        c = conversations.c
        is_newer = c.activity_id < message.id
        values: dict[str, Any] = {
            "activity_id": case((is_newer, message.id), else_=c.activity_id),
            "last_activity_at": case(
                (is_newer, literal(message.created_at, UtcDateTime())),
                else_=c.last_activity_at,
            ),
            "preview": case((is_newer, rules.preview_of(message)), else_=c.preview),
        }
        counter = rules.counter_raised_by(message.author.kind)
        if counter is not None:
            values[counter] = c[counter] + 1
        await conn.execute(
            update(conversations)
            .where(c.site_id == message.site_id, c.id == message.conversation_id)
            .values(values)
        )

    async def list_messages(
        self,
        site_id: int,
        conversation_id: str,
        *,
        before: str | None = None,
        limit: int = 50,
    ) -> list[Message]:
        if limit <= 0:
            return []
        query = select(messages).where(
            messages.c.site_id == site_id, messages.c.conversation_id == conversation_id
        )
        if before is not None:
            query = query.where(messages.c.id < before)
        query = query.order_by(messages.c.id.desc()).limit(limit)
        newest_first = [records.message_from_record(row) for row in await self._all(query)]
        return newest_first[::-1]

    async def mark_read(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        author = rules.other_side(reader)
        counter = rules.counter_of_reader(reader)
        if author is None or counter is None:
            return []
        m = messages.c
        from_other_side = (
            m.site_id == site_id,
            m.conversation_id == conversation_id,
            m.author_kind == author.value,
        )
        unread = m.status.in_(rules.UNREAD_STATUSES)
        mark = (
            update(messages)
            .where(*from_other_side, unread, m.id <= up_to)
            .values(status=MessageStatus.READ.value)
            .returning(m.id)
        )
        count_unread = select(func.count()).where(*from_other_side, unread)
        async with self._engine.begin() as conn:
            changed = sorted((await conn.execute(mark)).scalars())
            still_unread = (await conn.execute(count_unread)).scalar_one()
            await conn.execute(
                update(conversations)
                .where(conversations.c.site_id == site_id, conversations.c.id == conversation_id)
                .values({counter: still_unread})
            )
        return changed

    async def mark_delivered(
        self, site_id: int, conversation_id: str, reader: AuthorKind, up_to: str
    ) -> list[str]:
        author = rules.other_side(reader)
        if author is None:
            return []
        m = messages.c
        mark = (
            update(messages)
            .where(
                m.site_id == site_id,
                m.conversation_id == conversation_id,
                m.author_kind == author.value,
                m.status == MessageStatus.SENT.value,
                m.id <= up_to,
            )
            .values(status=MessageStatus.DELIVERED.value)
            .returning(m.id)
        )
        async with self._engine.begin() as conn:
            return sorted((await conn.execute(mark)).scalars())

    # --- helpers ----------------------------------------------------------------------

    async def _first(self, query: Any) -> Any:
        async with self._engine.connect() as conn:
            return (await conn.execute(query)).mappings().first()

    async def _all(self, query: Any) -> list[Any]:
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).mappings())
