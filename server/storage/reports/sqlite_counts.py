"""The embedded store's report facts and counts (``reports.py``, ``report_counts.py``).

The changes queued while the last were being written run on the writing lane as one unit
(``write_fact_changes``): read their records, compute the new ones (``counts.with_*``),
write them, and add the difference of their parts to the quarter hours' counts (one JSON
object per site and quarter hour); messages add to their quarter hours' message counts.
A quarter hour that changes also drops the days cached over it (``report_days``). Facts
and counts are written in the same transaction, so they cannot drift apart.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence

from server.storage.reports import counts as rc
from server.storage.reports.base import ConversationFacts
from server.storage.reports.changes import (
    FactsChange,
    Outcome,
    QueuedFactChanges,
    apply_in_turn,
    message_slots,
    places_of,
    spans_of,
)
from server.storage.sqlite_lane import SqliteLane, marks

FACT_COLUMNS = (
    "conversation_id, site_id, created_ms, first_visitor_ms, first_response_ms, responder_id, "
    "resolved_ms, assignee_id, visitor_messages, agent_messages, sentiment_sum, sentiment_n, "
    "rating, rating_comment, rated_ms"
)
FACT_FIELDS = tuple(column.strip() for column in FACT_COLUMNS.split(","))
SAVE_FACTS = (
    f"INSERT INTO report_conversations ({FACT_COLUMNS}) VALUES ({marks(FACT_COLUMNS.split(','))})"
)
UPDATE_FACTS = (
    "UPDATE report_conversations SET "
    + ", ".join(f"{c.strip()} = ?" for c in FACT_COLUMNS.split(",")[2:])
    + " WHERE conversation_id = ?"
)
SAVE_COUNTS = (
    "INSERT INTO report_counts (site_id, slot_ms, counts, changed_ms) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (site_id, slot_ms) DO UPDATE SET counts = excluded.counts, "
    "changed_ms = excluded.changed_ms"
)
SLOT = (
    "INSERT INTO report_message_slots "
    "(site_id, slot_ms, visitor, agent, positive, neutral, negative) "
    "VALUES (:site_id, :slot, :visitor, :agent, :positive, :neutral, :negative) "
    "ON CONFLICT (site_id, slot_ms) DO UPDATE SET visitor = visitor + excluded.visitor, "
    "agent = agent + excluded.agent, positive = positive + excluded.positive, "
    "neutral = neutral + excluded.neutral, negative = negative + excluded.negative"
)
# A cached span (day, week, month) starts at most LONGEST_SPAN_MS before an instant in it:
# the index range stays short.
DROP_DAYS = (
    "DELETE FROM report_days WHERE site_id = ? AND start_ms <= ? AND start_ms > ? - "
    f"{rc.LONGEST_SPAN_MS} AND end_ms > ?"
)


def add_counts(
    conn: sqlite3.Connection, site_id: int, changes: dict[int, dict[rc.Path, int]], now_ms: int
) -> None:
    for slot, paths in changes.items():
        row = conn.execute(
            "SELECT counts FROM report_counts WHERE site_id = ? AND slot_ms = ?", (site_id, slot)
        ).fetchone()
        counts = json.loads(row[0]) if row else {}
        for path, n in paths.items():
            rc.add(counts, path, n)
        conn.execute(SAVE_COUNTS, (site_id, slot, _json(counts), now_ms))
        conn.execute(DROP_DAYS, (site_id, slot, slot, slot))


def forget_days(conn: sqlite3.Connection, site_id: int, since_ms: int, until_ms: int) -> None:
    """Drop the site's cached days that hold any instant of ``[since, until]``."""
    conn.execute(DROP_DAYS, (site_id, until_ms, since_ms, since_ms))


def write_fact_changes(conn: sqlite3.Connection, batch: Sequence[FactsChange]) -> list[Outcome]:
    """Many conversations' changes in a few statements: one read of their records, one
    write of each record changed, the counts the changes move and the messages' quarter
    hours once per quarter hour, the cached days over them dropped once per site. Whether
    each change found its record (a rating needs one) on its own site."""
    outcomes: list[Outcome] = [False] * len(batch)
    places = places_of(batch)
    ids = list(places)
    found = {
        row[0]: ConversationFacts(*row)
        for row in conn.execute(
            f"SELECT {FACT_COLUMNS} FROM report_conversations "
            f"WHERE conversation_id IN ({marks(ids)})",
            ids,
        )
    }
    moved: dict[int, dict[int, dict[rc.Path, int]]] = {}  # site → quarter hour → path → n
    for conversation_id, indexes in places.items():
        old = found.get(conversation_id)
        facts, applied = apply_in_turn(old, conversation_id, [batch[n] for n in indexes])
        for n, outcome in zip(indexes, applied, strict=True):
            outcomes[n] = outcome
        if facts is None or facts == old:
            continue
        values = tuple(getattr(facts, field) for field in FACT_FIELDS)
        if old is None:
            conn.execute(SAVE_FACTS, values)
        else:  # an UPDATE touches only the indexes whose columns changed
            conn.execute(UPDATE_FACTS, (*values[2:], conversation_id))
        before = rc.conversation_parts(old) if old else []
        difference = rc.difference(before, rc.conversation_parts(facts))
        for slot, paths in difference.items():
            site = moved.setdefault(facts.site_id, {}).setdefault(slot, {})
            for path, n in paths.items():
                site[path] = site.get(path, 0) + n
    now = _now_ms()
    for site_id, changes in moved.items():
        add_counts(conn, site_id, changes, now)
    slots = message_slots(batch)
    conn.executemany(
        SLOT,
        [{"site_id": site, "slot": slot, **counts} for (site, slot), counts in slots.items()],
    )
    # The quarter hours' messages are in the days cached over them.
    for site_id, (low, high) in spans_of([*slots]).items():
        forget_days(conn, site_id, low, high)
    return outcomes


class SqliteReportCounts(QueuedFactChanges):
    """Mixed into ``SqliteMessageStore``, whose lanes it uses."""

    _writes: SqliteLane
    _reports: SqliteLane

    async def _write_fact_changes(self, batch: Sequence[FactsChange]) -> list[Outcome]:
        return await self._writes.run(lambda conn: write_fact_changes(conn, batch), quick=True)

    async def report_counts(
        self, site_id: int, since_ms: int, until_ms: int
    ) -> list[tuple[int, rc.Counts]]:
        rows = await self._reports.run(
            lambda conn: conn.execute(
                "SELECT slot_ms, counts FROM report_counts "
                "WHERE site_id = ? AND slot_ms >= ? AND slot_ms < ? ORDER BY slot_ms",
                (site_id, since_ms, until_ms),
            ).fetchall()
        )
        return [(slot, json.loads(counts)) for slot, counts in rows]

    async def report_days(
        self, site_id: int, zone: str, since_ms: int, until_ms: int
    ) -> list[tuple[int, int, rc.Counts]]:
        rows = await self._reports.run(
            lambda conn: conn.execute(
                "SELECT start_ms, end_ms, counts FROM report_days WHERE site_id = ? AND zone = ? "
                "AND start_ms >= ? AND start_ms < ? ORDER BY start_ms",
                (site_id, zone, since_ms, until_ms),
            ).fetchall()
        )
        return [(start, end, json.loads(counts)) for start, end, counts in rows]

    async def save_report_days(
        self,
        site_id: int,
        zone: str,
        days: Sequence[tuple[int, int, rc.Counts]],
        read_at_ms: int,
    ) -> int:
        def save(conn: sqlite3.Connection) -> int:
            saved = 0
            for start, end, counts in days:
                changed = conn.execute(
                    "SELECT 1 FROM report_counts WHERE site_id = ? AND slot_ms >= ? "
                    "AND slot_ms < ? AND changed_ms >= ? LIMIT 1",
                    (site_id, start, end, read_at_ms),
                ).fetchone()
                if changed:
                    continue  # counted while it was read: the next report reads it again
                conn.execute(
                    "INSERT OR REPLACE INTO report_days (site_id, zone, start_ms, end_ms, counts) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (site_id, zone, start, end, _json(counts)),
                )
                saved += 1
            return saved

        return await self._writes.run(save)

    async def settle_report_counts(self, older_than_ms: int) -> int:
        return 0  # the facts and their counts are written in one transaction

    async def rebuild_report_counts(self) -> int:
        """Recount every site's quarter hours from the facts; the conversations counted."""

        def rebuild(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM report_counts")
            conn.execute("DELETE FROM report_days")
            return recount(conn, _now_ms())

        return await self._writes.run(rebuild)

    async def rating_comments(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int, limit: int
    ) -> list[ConversationFacts]:
        if not site_ids:
            return []
        sites = list(site_ids)
        sql = (
            f"SELECT {FACT_COLUMNS} FROM report_conversations WHERE site_id IN ({marks(sites)}) "
            "AND rated_ms >= ? AND rated_ms < ? AND rating_comment != '' "
            "ORDER BY rated_ms DESC, conversation_id LIMIT ?"
        )
        rows = await self._reports.run(
            lambda conn: conn.execute(sql, (*sites, since_ms, until_ms, limit)).fetchall()
        )
        return [ConversationFacts(*row) for row in rows]


def recount(conn: sqlite3.Connection, now_ms: int) -> int:
    """Count every facts record into ``report_counts`` (which starts empty)."""
    totals: dict[tuple[int, int], rc.Counts] = {}
    n = 0
    for row in conn.execute(f"SELECT {FACT_COLUMNS} FROM report_conversations"):
        facts = ConversationFacts(*row)
        for slot, path in rc.conversation_parts(facts):
            rc.add(totals.setdefault((facts.site_id, slot), {}), path, 1)
        n += 1
    conn.executemany(
        SAVE_COUNTS,
        ((site, slot, _json(counts), now_ms) for (site, slot), counts in totals.items()),
    )
    return n


def _json(counts: rc.Counts) -> str:
    return json.dumps(counts, separators=(",", ":"))


def _now_ms() -> int:
    return int(time.time() * 1000)
