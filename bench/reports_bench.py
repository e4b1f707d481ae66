"""The Reports page at volume: 100,000 conversations and 1,000,000 messages over a year,
then the time the whole page takes (every figure: ``GET /api/v1/reports`` minus HTTP)
for a month and for the year, and what keeping the report facts costs each message.

    python -m bench.reports_bench                 # both stores, full volume, prints
    python -m bench.reports_bench --write         # and rewrites docs/benchmarks.md
    python -m bench.reports_bench --stores sqlite --conversations 10000

Seeding goes straight to the database in bulk: the conversations, the visitors and their
page views, and the report facts of the million messages exactly as the event subscriber
would have written them (one record per conversation, message counts per quarter hour).
The message rows themselves are left out unless ``--with-messages`` (SQLite only): no
report reads that table, and with its search triggers it takes over 20 minutes to fill.
The page is then built by ``ReportService`` through the store's methods.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from ulid import ULID

from server.domain import Author, AuthorKind, Conversation, Message, PageView, Visitor
from server.services.reports.service import ReportService
from server.storage.messages import mongo_documents as documents
from server.storage.messages.mongo import MongoMessageStore
from server.storage.messages.sqlite import SqliteMessageStore
from server.storage.messages.sqlite_rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    PAGE_VIEW_COLUMNS,
    VISITOR_COLUMNS,
    conversation_values,
    marks,
    message_values,
    page_view_values,
    visitor_values,
)
from server.storage.reports.base import Writer, mood, slot_of
from server.storage.reports.sqlite_counts import recount

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SITE = 1
DAY_MS = 86_400_000
AGENTS = list(range(1, 11))
COUNTRIES = [("DE", "Germany", 52.5, 13.4), ("US", "United States", 40.7, -74.0)]
COUNTRIES += [("FR", "France", 48.9, 2.35), ("BR", "Brazil", -23.5, -46.6)]
SOURCES = ["", "?utm_source=news&utm_campaign=winter", "?utm_source=ads", "?gclid=1"]


@dataclass(frozen=True, slots=True)
class Volume:
    conversations: int
    messages: int
    visits: int


class NoTeam:
    async def members(self, site_id: int) -> list[Any]:
        return []


def ulid_at(ms: int, rng: random.Random) -> str:
    return str(ULID.from_bytes(ms.to_bytes(6, "big") + rng.randbytes(10)))


def generate(volume: Volume, now_ms: int, seed: int = 5) -> dict[str, Any]:
    """Everything to insert, spread over the 365 days before ``now_ms``."""
    rng = random.Random(seed)
    per = volume.messages // volume.conversations
    facts, slots, conversations, messages = [], Counter(), [], []
    visitors, views = [], []
    for n in range(volume.conversations):
        created = now_ms - rng.randrange(365 * DAY_MS)
        cid = ulid_at(created, rng)
        vid = f"v{n}"
        reply = created + rng.randrange(20 * 60_000)
        resolved = reply + rng.randrange(10 * 60_000, 2 * DAY_MS) if rng.random() < 0.8 else None
        rated = resolved + 60_000 if resolved and rng.random() < 0.2 else None
        visitor_sum, visitor_n = 0.0, 0
        for m in range(per):
            at = created + m * 90_000
            writer = Writer.VISITOR if m % 2 == 0 else Writer.AGENT
            score = rng.uniform(-1, 1) if writer is Writer.VISITOR else None
            key = slot_of(at)
            slots[(key, writer.value)] += 1
            if score is not None:
                slots[(key, mood(score))] += 1
                visitor_sum += score
                visitor_n += 1
            messages.append((cid, m, at, writer))
        assignee = rng.choice(AGENTS)
        facts.append(
            {
                "conversation_id": cid,
                "site_id": SITE,
                "created_ms": created,
                "first_visitor_ms": created,
                "first_response_ms": reply,
                "responder_id": assignee,
                "resolved_ms": resolved,
                "assignee_id": assignee,
                "visitor_messages": (per + 1) // 2,
                "agent_messages": per // 2,
                "sentiment_sum": visitor_sum,
                "sentiment_n": visitor_n,
                "rating": rng.randint(1, 5) if rated else None,
                "rating_comment": "thanks" if rated and rng.random() < 0.3 else "",
                "rated_ms": rated,
            }
        )
        conversations.append((cid, vid, created))
    for n in range(volume.visits):
        vid = f"v{n % volume.conversations}"
        start = now_ms - rng.randrange(365 * DAY_MS)
        source = SOURCES[n % len(SOURCES)]
        for k, path in enumerate((f"/{source}", "/tents", "/checkout/done" if n % 7 else "/a")):
            views.append((ulid_at(start + k * 30_000, rng), vid, f"s{n}", path, start))
    for n in range(volume.conversations):
        code, name, lat, lon = COUNTRIES[n % len(COUNTRIES)]
        visitors.append((f"v{n}", {"country_code": code, "country": name, "lat": lat, "lon": lon}))
    return {
        "facts": facts,
        "slots": slots,
        "conversations": conversations,
        "messages": messages,
        "visitors": visitors,
        "views": views,
    }


def _slot_rows(slots: Counter) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for (key, what), n in slots.items():
        row = rows.setdefault(
            key,
            {"site_id": SITE, "slot_ms": key, "visitor": 0, "agent": 0}
            | {"positive": 0, "neutral": 0, "negative": 0},
        )
        row[what] += n
    return list(rows.values())


def _domain(data: dict[str, Any]):
    now = datetime.now(UTC)
    ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"
    for vid, geo in data["visitors"]:
        yield "visitor", Visitor(vid, SITE, now, now, geo=geo, device={"user_agent": ua})
    for cid, vid, created in data["conversations"]:
        at = datetime.fromtimestamp(created / 1000, UTC)
        yield (
            "conversation",
            Conversation(id=cid, site_id=SITE, visitor_id=vid, created_at=at, activity_id=cid),
        )
    for vid_, vis, session, path, start in data["views"]:
        yield (
            "view",
            PageView(
                id=vid_,
                site_id=SITE,
                visitor_id=vis,
                session_id=session,
                url=f"https://shop.test{path}",
                entered_at=datetime.fromtimestamp(start / 1000, UTC),
            ),
        )


async def seed_sqlite(path: Path, data: dict[str, Any], with_messages: bool) -> float:
    started = time.perf_counter()
    store = SqliteMessageStore(path)
    await store.init()  # migrations: tables, indexes and triggers
    await store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    rows: dict[str, list[tuple[Any, ...]]] = {"visitor": [], "conversation": [], "view": []}
    for kind, item in _domain(data):
        values = {"visitor": visitor_values, "conversation": conversation_values}
        rows[kind].append(values.get(kind, page_view_values)(item))
    with conn:
        for table, kind, columns in (
            ("visitors", "visitor", VISITOR_COLUMNS),
            ("conversations", "conversation", CONVERSATION_COLUMNS),
            ("page_views", "view", PAGE_VIEW_COLUMNS),
        ):
            width = len(rows[kind][0])
            conn.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks(range(width))})", rows[kind]
            )
        columns = list(data["facts"][0])
        conn.executemany(
            f"INSERT INTO report_conversations ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})",
            data["facts"],
        )
        conn.executemany(
            "INSERT INTO report_message_slots VALUES "
            "(:site_id, :slot_ms, :visitor, :agent, :positive, :neutral, :negative)",
            _slot_rows(data["slots"]),
        )
        recount(conn, int(time.time() * 1000))  # what the migration does for existing facts
    if with_messages:
        batch: list[tuple[Any, ...]] = []
        for cid, m, at, writer in data["messages"]:
            kind = AuthorKind.VISITOR if writer is Writer.VISITOR else AuthorKind.AGENT
            message = Message(
                id=f"{cid}{m:02d}",
                conversation_id=cid,
                site_id=SITE,
                author=Author(kind, "a"),
                text="hello there",
                client_id=f"c{m}",
                created_at=datetime.fromtimestamp(at / 1000, UTC),
            )
            batch.append(message_values(message))
            if len(batch) >= 50_000:
                _insert_messages(conn, batch)
                batch = []
        _insert_messages(conn, batch)
    conn.close()
    return time.perf_counter() - started


def _insert_messages(conn: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    if batch:
        with conn:
            width = len(batch[0])
            conn.executemany(
                f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({marks(range(width))})", batch
            )


async def seed_mongo(url: str, database: str, data: dict[str, Any]) -> float:
    started = time.perf_counter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    db = client[database]
    docs: dict[str, list[dict[str, Any]]] = {"visitor": [], "conversation": [], "view": []}
    make = {
        "visitor": documents.visitor_document,
        "conversation": documents.conversation_document,
        "view": documents.page_view_document,
    }
    for kind, item in _domain(data):
        docs[kind].append(make[kind](item))
    facts = [{"_id": f.pop("conversation_id"), **f} for f in (dict(x) for x in data["facts"])]
    slots = [{"_id": f"{SITE}:{s['slot_ms']}", **s} for s in _slot_rows(data["slots"])]
    for name, items in (
        ("visitors", docs["visitor"]),
        ("conversations", docs["conversation"]),
        ("page_views", docs["view"]),
        ("report_conversations", facts),
        ("report_message_slots", slots),
    ):
        for start in range(0, len(items), 10_000):
            await db[name].insert_many(items[start : start + 10_000], ordered=False)
    await client.close()
    store = MongoMessageStore(url, database)
    await store.init()  # migrations: indexes
    await store.close()
    return time.perf_counter() - started


async def measure(store: Any, runs: int) -> list[tuple[str, float, float, float]]:
    """(case, first read ms, median ms, slowest ms) of the whole page: the first read of a
    period counts its days from the quarter hours (and caches those that have ended), the
    others read the cache."""
    service = ReportService(store, NoTeam())  # type: ignore[arg-type]
    today = datetime.now(UTC).date()
    cases = {
        "last 30 days, by day": (today - timedelta(days=29), "day"),
        "last 31 days, by hour": (today - timedelta(days=30), "hour"),
        "last 365 days, by week": (today - timedelta(days=364), "week"),
        "last 365 days, by day": (today - timedelta(days=364), "day"),
    }
    found = []
    for case, (first, interval) in cases.items():
        query = _query(first, today, interval)
        timings = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            await service.figures([SITE], query)
            timings.append((time.perf_counter() - started) * 1000)
        first, rest = timings[0], timings[1:]
        found.append((case, first, statistics.median(rest), max(rest)))
        print(f"{case}: first {first:.0f} ms, then {statistics.median(rest):.0f} ms", flush=True)
    return found


def _query(first: date, last: date, interval: str) -> dict[str, str]:
    return {"from": first.isoformat(), "to": last.isoformat(), "tz": "Europe/Berlin"} | {
        "interval": interval
    }


async def write_cost(store: Any, n: int) -> float:
    """Mean ms per message of what the event subscriber writes (facts and slot)."""
    now = int(time.time() * 1000)
    started = time.perf_counter()
    for k in range(n):
        writer = Writer.VISITOR if k % 2 == 0 else Writer.AGENT
        await store.report_message(
            SITE, f"w{k // 10}", now, now + k, writer, agent_id=1, sentiment=0.3
        )
    return (time.perf_counter() - started) * 1000 / n


def render(name: str, volume: Volume, seconds: float, rows, write_ms: float, note: str) -> str:
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"**{name}**, measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}: "
        f"{volume.conversations:,} conversations and {volume.messages:,} messages over 365 "
        f"days{note}, {volume.visits:,} visits ({volume.visits * 3:,} page views) of "
        f"{volume.conversations:,} visitors, one site. Seeding took {seconds / 60:.1f} min. "
        f"Load average {load}.",
        "",
        "| the whole page (every figure) | first read ms | then median ms | slowest ms |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {case} | {first:.0f} | {p50:.0f} | {worst:.0f} |" for case, first, p50, worst in rows
    ]
    lines += ["", f"Keeping the facts: {write_ms:.2f} ms per message (sequential, one writer)."]
    return "\n".join(lines)


def write_doc(key: str, block: str) -> None:
    start, end = f"<!-- reports-bench-{key}:start -->", f"<!-- reports-bench-{key}:end -->"
    text = DOC.read_text(encoding="utf-8")
    replacement = f"{start}\n{block}\n{end}"
    if start in text:
        pattern = f"{re.escape(start)}.*?{re.escape(end)}"
        text = re.sub(pattern, lambda _: replacement, text, flags=re.S)
    else:
        text = f"{text.rstrip()}\n\n{replacement}\n"
    DOC.write_text(text, encoding="utf-8")


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,mongo")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--with-messages", action="store_true", help="insert the message rows")
    parser.add_argument("--write", action="store_true", help="rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    volume = Volume(args.conversations, args.messages, args.visits)
    data = generate(volume, int(time.time() * 1000))
    stores = set(args.stores.split(","))
    with tempfile.TemporaryDirectory() as work:
        if "sqlite" in stores:
            path = Path(work) / "messages.db"
            seconds = await seed_sqlite(path, data, with_messages=args.with_messages)
            print(f"sqlite seeded in {seconds:.0f}s", flush=True)
            store = SqliteMessageStore(path)
            await store.init()
            rows = await measure(store, args.runs)
            write_ms = await write_cost(store, args.writes)
            await store.close()
            note = "" if args.with_messages else " (their facts; the message rows are not inserted)"
            block = render("Embedded store (SQLite)", volume, seconds, rows, write_ms, note)
            print(block, flush=True)
            if args.write:
                write_doc("sqlite", block)
        if "mongo" in stores:
            sys.path.insert(0, str(ROOT))
            from tests.mongo_server import mongodb_url

            with mongodb_url(Path(work) / "mongo") as url:
                seconds = await seed_mongo(url, "reports_bench", data)
                print(f"mongo seeded in {seconds:.0f}s", flush=True)
                mongo = MongoMessageStore(url, "reports_bench")
                await mongo.init()
                rows = await measure(mongo, args.runs)
                write_ms = await write_cost(mongo, args.writes)
                await mongo.close()
            note = " (their facts; the message documents themselves are not inserted)"
            block = render("MongoDB store (on nx-27017)", volume, seconds, rows, write_ms, note)
            print(block, flush=True)
            if args.write:
                write_doc("mongo", block)


if __name__ == "__main__":
    asyncio.run(main())
