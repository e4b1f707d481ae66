"""The embedded store's report reads (``reports.py``); the writes are in
``sqlite_report_counts.py``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from server.storage.reports.base import (
    ConversationFacts,
    MessageSlot,
    ReportSettings,
    VisitorTraits,
    VisitSession,
)
from server.storage.reports.counts import ALL_TIME
from server.storage.reports.sqlite_counts import FACT_COLUMNS, forget_days
from server.storage.sqlite_lane import SqliteLane, marks


class SqliteReports:
    """Mixed into ``SqliteMessageStore``, whose lanes it uses."""

    _writes: SqliteLane
    _reports: SqliteLane

    async def conversation_facts(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int
    ) -> list[ConversationFacts]:
        if not site_ids:
            return []
        sites = list(site_ids)
        # One indexed range per time column, joined by UNION (which also drops repeats).
        ranges = " UNION ".join(
            f"SELECT conversation_id FROM report_conversations "
            f"WHERE site_id IN ({marks(sites)}) AND {column} >= ? AND {column} < ?"
            for column in ("created_ms", "resolved_ms", "rated_ms")
        )
        sql = (
            f"SELECT {FACT_COLUMNS} FROM report_conversations "
            f"WHERE conversation_id IN ({ranges}) ORDER BY created_ms, conversation_id"
        )
        args = [*sites, since_ms, until_ms] * 3
        rows = await self._reports.run(lambda conn: conn.execute(sql, args).fetchall())
        return [ConversationFacts(*row) for row in rows]

    async def message_slots(
        self, site_ids: Sequence[int], since_ms: int, until_ms: int
    ) -> list[MessageSlot]:
        if not site_ids:
            return []
        sites = list(site_ids)
        sql = (
            "SELECT slot_ms, sum(visitor), sum(agent), sum(positive), sum(neutral), "
            "sum(negative) FROM report_message_slots "
            f"WHERE site_id IN ({marks(sites)}) AND slot_ms >= ? AND slot_ms < ? "
            "GROUP BY slot_ms ORDER BY slot_ms"
        )
        rows = await self._reports.run(
            lambda conn: conn.execute(sql, (*sites, since_ms, until_ms)).fetchall()
        )
        return [MessageSlot(*row) for row in rows]

    async def conversation_sentiments(
        self, site_id: int, conversation_ids: Sequence[str]
    ) -> dict[str, float]:
        if not conversation_ids:
            return {}
        ids = list(conversation_ids)
        sql = (
            "SELECT conversation_id, sentiment_sum / sentiment_n FROM report_conversations "
            f"WHERE site_id = ? AND conversation_id IN ({marks(ids)}) AND sentiment_n > 0"
        )
        rows = await self._reports.run(lambda conn: conn.execute(sql, (site_id, *ids)).fetchall())
        return {conversation_id: float(score) for conversation_id, score in rows}

    # --- visits ---------------------------------------------------------------------

    async def visit_sessions(
        self, site_ids: Sequence[int], since_id: str, until_id: str
    ) -> list[VisitSession]:
        if not site_ids:
            return []
        sites = list(site_ids)
        sql = (
            "WITH ends AS (SELECT session_id, min(id) AS first_id, max(id) AS last_id "
            f"  FROM page_views WHERE site_id IN ({marks(sites)}) AND id >= ? AND id < ? "
            "  GROUP BY session_id) "
            "SELECT e.session_id, p.site_id, p.visitor_id, e.first_id, e.last_id, p.url, "
            "  p.referrer, EXISTS (SELECT 1 FROM page_views AS q WHERE q.site_id = p.site_id "
            "    AND q.visitor_id = p.visitor_id AND q.id < e.first_id "
            "    AND q.session_id != e.session_id) "
            "FROM ends AS e JOIN page_views AS p ON p.id = e.first_id ORDER BY e.first_id"
        )
        rows = await self._reports.run(
            lambda conn: conn.execute(sql, (*sites, since_id, until_id)).fetchall()
        )
        return [VisitSession(*row[:7], returning=bool(row[7])) for row in rows]

    async def visitor_traits(
        self, site_ids: Sequence[int], visitor_ids: Sequence[str]
    ) -> dict[str, VisitorTraits]:
        if not site_ids or not visitor_ids:
            return {}
        sites, wanted = list(site_ids), list(visitor_ids)

        def read(conn: sqlite3.Connection) -> dict[str, VisitorTraits]:
            found: dict[str, VisitorTraits] = {}
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = conn.execute(
                    "SELECT id, json_extract(geo, '$.country_code'), "
                    "json_extract(geo, '$.country'), json_extract(device, '$.user_agent'), "
                    "json_extract(geo, '$.lat'), json_extract(geo, '$.lon') "
                    "FROM visitors "
                    # By primary key: "+site_id" keeps the planner off the site's indexes,
                    # which would read every visitor of the site once per chunk.
                    f"WHERE id IN ({marks(chunk)}) AND +site_id IN ({marks(sites)})",
                    (*chunk, *sites),
                ).fetchall()
                for visitor_id, code, name, agent, lat, lon in rows:
                    found[visitor_id] = VisitorTraits(
                        code or "", name or "", agent or "", _number(lat), _number(lon)
                    )
            return found

        return await self._reports.run(read)

    async def conversation_starts(
        self, site_ids: Sequence[int], since_id: str, until_id: str
    ) -> list[tuple[str, str]]:
        if not site_ids:
            return []
        sites = list(site_ids)
        sql = (
            # The id range by primary key ("+site_id" keeps the planner off the site's
            # indexes, which would read every conversation of the site).
            "SELECT visitor_id, id FROM conversations "
            f"WHERE id >= ? AND id < ? AND +site_id IN ({marks(sites)}) ORDER BY id"
        )
        rows = await self._reports.run(
            lambda conn: conn.execute(sql, (since_id, until_id, *sites)).fetchall()
        )
        return [(visitor_id, conversation_id) for visitor_id, conversation_id in rows]

    async def pages_containing(
        self, site_ids: Sequence[int], since_id: str, until_id: str, needle: str
    ) -> list[tuple[str, str]]:
        if not site_ids or not needle:
            return []
        sites = list(site_ids)
        sql = (
            "SELECT session_id, url FROM page_views "
            f"WHERE site_id IN ({marks(sites)}) AND id >= ? AND id < ? AND instr(url, ?) > 0 "
            "ORDER BY id"
        )
        rows = await self._reports.run(
            lambda conn: conn.execute(sql, (*sites, since_id, until_id, needle)).fetchall()
        )
        return [(session_id, url) for session_id, url in rows]

    async def report_settings(self, site_id: int) -> ReportSettings:
        row = await self._reports.run(
            lambda conn: conn.execute(
                "SELECT goal_path, time_zone, missed_after_minutes FROM report_settings "
                "WHERE site_id = ?",
                (site_id,),
            ).fetchone()
        )
        return ReportSettings(*row) if row else ReportSettings()

    async def save_report_settings(self, site_id: int, settings: ReportSettings) -> None:
        args = (site_id, settings.goal_path, settings.time_zone, settings.missed_after_minutes)

        def save(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO report_settings (site_id, goal_path, time_zone, "
                "missed_after_minutes) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (site_id) DO UPDATE SET goal_path = excluded.goal_path, "
                "time_zone = excluded.time_zone, "
                "missed_after_minutes = excluded.missed_after_minutes",
                args,
            )
            forget_days(conn, site_id, *ALL_TIME)  # the goal page may have changed

        await self._writes.run(save)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
