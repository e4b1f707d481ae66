"""Search at volume: seed a store with 100,000 conversations and 1,000,000 messages of
generated support chat, then time typical searches (p50/p99) and what the FTS triggers
cost each stored message.

    python -m bench.search_bench                      # both stores, full volume, prints
    python -m bench.search_bench --write              # and rewrites docs/benchmarks.md
    python -m bench.search_bench --stores sqlite --messages 100000 --conversations 10000

Seeding goes straight to the database in bulk (executemany in large transactions for
SQLite, insert_many for MongoDB), with the store's own migrations run first for SQLite (so
the triggers index as rows go in) and after the insert for MongoDB (index builds are
faster than index maintenance there). Queries then go through the store's methods,
exactly as the search service calls them.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ulid import ULID

from server.domain import Author, AuthorKind, Conversation, Message, Visitor
from server.storage.messages import mongo_documents as documents
from server.storage.messages.mongo import MongoMessageStore
from server.storage.messages.sqlite import SqliteMessageStore
from server.storage.messages.sqlite_rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    VISITOR_COLUMNS,
    conversation_values,
    message_values,
    placeholders,
    visitor_values,
)
from server.storage.search.query import SearchOrder, SearchQuery

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
SITES = 10
BIG_SITE = 1  # holds 40% of everything: the worst case for one site's agents
T0 = datetime(2025, 6, 1, tzinfo=UTC)

# --- text that looks like support chat ---------------------------------------------------

FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "Dmitri",
    "Émile",
    "Fatima",
    "Gustavo",
    "Hana",
    "Inês",
    "Jonas",
    "Kofi",
    "Léa",
    "Mateo",
    "Nour",
    "Olga",
    "Piotr",
    "Quentin",
    "Rosa",
    "Søren",
    "Tomás",
    "Ugo",
    "Valérie",
    "Wei",
    "Xavier",
    "Yara",
    "Zoë",
]
LAST = [
    "Müller",
    "García",
    "Silva",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Nowak",
    "Jensen",
    "Moreau",
    "Novák",
    "Yilmaz",
    "Okafor",
    "Tanaka",
    "Costa",
    "Ferreira",
    "Schmidt",
    "Bianchi",
    "Lefèvre",
    "Andersson",
    "Peña",
]
PRODUCTS = [
    "Kettle Pro",
    "Aero Blender",
    "Nordic Chair",
    "Luma Lamp",
    "Terra Mug",
    "Orbit Speaker",
    "Pixel Frame",
    "Cloud Pillow",
    "Zen Diffuser",
    "Trail Backpack",
    "Café Grinder",
    "Crème Jar",
]
CITIES = [
    "Köln",
    "São Paulo",
    "Zürich",
    "Kraków",
    "Málaga",
    "Göteborg",
    "Montréal",
    "Reykjavík",
    "Łódź",
    "Besançon",
    "Porto",
    "Lyon",
]
TEMPLATES = [
    "Hi, where is my order {order}? It was supposed to arrive {day}.",
    "Hello! I ordered the {product} last week and it still says processing.",
    "Can I change the delivery address for order {order} to {city}?",
    "The {product} arrived damaged, the box was crushed. Can I get a refund?",
    "Do you ship to {city}? How long does delivery take?",
    "I was charged twice for order {order}, please check my invoice.",
    "Is the {product} back in stock? I want two of them.",
    "My discount code {code} does not work at checkout.",
    "Thanks for your help {name}, that solved it!",
    "Could you send me the invoice for {order} as a PDF?",
    "The tracking number for {order} shows no updates since {day}.",
    "How do I return the {product}? The colour is not what I expected.",
    "I cannot log in to my account, the password reset e-mail never comes.",
    "What is the warranty on the {product}?",
    "Hi {name}, your refund for order {order} was sent today; it takes 3 to 5 days.",
    "I've updated the address on order {order}; it ships from our {city} warehouse.",
    "The {product} is back in stock from {day}. Shall I reserve one for you?",
    "Your code {code} expired on {day}; here is a new one: {code2}.",
    "Sorry for the trouble! I've asked the courier in {city} to call you.",
    "You can return the {product} within 30 days, the label is in your account.",
    "Please reply to {email} if anything else comes up.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "yesterday", "today"]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "shi",
    "vo",
    "pe",
    "zu",
    "ba",
    "de",
    "fi",
    "go",
    "hu",
    "ja",
    "ke",
    "li",
    "mo",
    "nu",
]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


class ChatText:
    """Sentences from templates plus a long tail of rarer words (Zipf-like), so the index
    has the shape of real text: a few very common words and many rare ones."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.tail = sorted({pseudo_word(self.rng) for _ in range(20000)})
        weights = [1 / (rank + 1) for rank in range(len(self.tail))]
        self._tail_weights = list(_cumulative(weights))

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def order(self) -> str:
        return f"#A{self.rng.randint(10000, 99999)}"

    def sentence(self, name: str, email: str) -> str:
        rng = self.rng
        text = rng.choice(TEMPLATES).format(
            order=self.order(),
            product=rng.choice(PRODUCTS),
            city=rng.choice(CITIES),
            day=rng.choice(DAYS),
            code=f"SAVE{rng.randint(10, 99)}",
            code2=f"SAVE{rng.randint(10, 99)}",
            name=name.split()[0],
            email=email,
        )
        if rng.random() < 0.5:
            extra = rng.choices(self.tail, cum_weights=self._tail_weights, k=rng.randint(1, 6))
            text = f"{text} {' '.join(extra)}"
        return text


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


# --- the seeded data ---------------------------------------------------------------------


@dataclass
class Volume:
    conversations: int
    messages: int

    def site_of(self, index: int) -> int:
        """40% on the big site, the rest spread over the other nine."""
        return BIG_SITE if index % 10 < 4 else 2 + index % (SITES - 1)


class Ids:
    """ULIDs in time order for a fake history (one id per call, 1 ms apart at least)."""

    def __init__(self) -> None:
        self._ms = int(T0.timestamp() * 1000)
        self._n = 0

    def at(self, moment: datetime) -> str:
        ms = max(int(moment.timestamp() * 1000), self._ms)
        self._n = self._n + 1 if ms == self._ms else 0
        self._ms = ms
        return str(ULID.from_bytes(ms.to_bytes(6, "big") + self._n.to_bytes(10, "big")))


@dataclass
class Chat:
    visitor: Visitor
    conversation: Conversation
    messages: list[Message] = field(default_factory=list)


def generate(volume: Volume, seed: int = 7) -> Iterator[Chat]:
    """Each conversation with its visitor and messages, in time order."""
    text = ChatText(seed)
    ids = Ids()
    rng = text.rng
    per_conversation = volume.messages / volume.conversations
    span = timedelta(days=365) / volume.conversations
    made = 0
    for index in range(volume.conversations):
        site_id = volume.site_of(index)
        started = T0 + span * index
        name = text.name()
        email = f"{name.split()[0].lower()}.{index}@mail.example"
        identified = rng.random() < 0.6
        visitor = Visitor(
            id=ids.at(started),
            site_id=site_id,
            first_seen=started,
            last_seen=started + timedelta(minutes=20),
            visits=rng.randint(1, 9),
            geo={"country": "DE", "city": rng.choice(CITIES), "time_zone": "Europe/Berlin"},
            device={"browser": "Firefox", "os": "Linux", "type": "desktop"},
            identity={"name": name, "email": email} if identified else {},
        )
        conversation_id = ids.at(started)
        count = round(per_conversation * (index + 1)) - made
        made += count
        chat = Chat(visitor, Conversation(id=conversation_id, site_id=site_id, visitor_id=""))
        at = started
        for n in range(count):
            at += timedelta(seconds=rng.randint(5, 90))
            kind = AuthorKind.VISITOR if n % 2 == 0 else AuthorKind.AGENT
            message_id = ids.at(at)
            chat.messages.append(
                Message(
                    id=message_id,
                    conversation_id=conversation_id,
                    site_id=site_id,
                    author=Author(kind, visitor.id if n % 2 == 0 else "7", name),
                    text=text.sentence(name, email),
                    client_id=message_id,
                    created_at=at,
                )
            )
        last = chat.messages[-1] if chat.messages else None
        chat.conversation = Conversation(
            id=conversation_id,
            site_id=site_id,
            visitor_id=visitor.id,
            created_at=started,
            last_activity_at=last.created_at if last else started,
            activity_id=last.id if last else conversation_id,
            preview=last.text[:140] if last else "",
        )
        yield chat


def batches(chats: Iterator[Chat], size: int) -> Iterator[list[Chat]]:
    batch: list[Chat] = []
    for chat in chats:
        batch.append(chat)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- seeding -----------------------------------------------------------------------------


async def seed_sqlite(path: Path, volume: Volume) -> float:
    store = SqliteMessageStore(path)
    await store.init()  # migrations: tables, FTS5 tables and their triggers
    await store.close()
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a throwaway file: no need to survive a crash
    for batch in batches(generate(volume), 2000):
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO visitors ({VISITOR_COLUMNS}) VALUES ({placeholders(VISITOR_COLUMNS)})",
            [visitor_values(c.visitor) for c in batch],
        )
        conn.executemany(
            f"INSERT INTO conversations ({CONVERSATION_COLUMNS}) "
            f"VALUES ({placeholders(CONVERSATION_COLUMNS)})",
            [conversation_values(c.conversation) for c in batch],
        )
        conn.executemany(
            f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({placeholders(MESSAGE_COLUMNS)})",
            [message_values(m) for c in batch for m in c.messages],
        )
        conn.execute("COMMIT")
    conn.execute("PRAGMA optimize")
    conn.close()
    return time.perf_counter() - started


async def seed_mongo(url: str, database: str, volume: Volume) -> float:
    store = MongoMessageStore(url, database)
    started = time.perf_counter()
    db = store._db
    for batch in batches(generate(volume), 2000):
        await db["visitors"].insert_many(
            [documents.visitor_document(c.visitor) for c in batch], ordered=False
        )
        await db["conversations"].insert_many(
            [documents.conversation_document(c.conversation) for c in batch], ordered=False
        )
        await db["messages"].insert_many(
            [documents.message_document(m) for c in batch for m in c.messages], ordered=False
        )
    await store.init()  # migrations: every index, the text indexes included
    await store.close()
    return time.perf_counter() - started


# --- timing ------------------------------------------------------------------------------


@dataclass
class Figure:
    store: str
    case: str
    runs: int
    p50_ms: float
    p99_ms: float
    found: float  # results on the page, on average


async def time_case(
    store_name: str, case: str, runs: int, call: Callable[[int], Awaitable[int]]
) -> Figure:
    await call(0)  # warm the caches once
    durations, counts = [], []
    for n in range(runs):
        started = time.perf_counter()
        counts.append(await call(n + 1))
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    p99 = durations[min(len(durations) - 1, round(0.99 * (len(durations) - 1)))]
    return Figure(
        store_name, case, runs, statistics.median(durations), p99, statistics.mean(counts)
    )


def query_cases(rng: random.Random) -> dict[str, Callable[[int], tuple[str, dict[str, Any]]]]:
    """Each case: a function of the run number giving (query text, store options)."""
    common = ["order", "refund", "delivery", "invoice", "stock", "return"]
    medium = [p.split()[0] for p in PRODUCTS] + [c.split()[0] for c in CITIES]
    text = ChatText()
    rare = text.tail[-2000:]
    orders = [f"A{n}" for n in range(10000, 99999, 37)]
    phrases = ['"refund for order"', '"back in stock"', '"tracking number"', '"delivery address"']
    return {
        "one common word, newest first": lambda n: (rng.choice(common), {}),
        "one common word, best match": lambda n: (
            rng.choice(common),
            {"order": SearchOrder.BEST},
        ),
        "product or city name": lambda n: (rng.choice(medium), {}),
        "rare word": lambda n: (rng.choice(rare), {}),
        "order number": lambda n: (rng.choice(orders), {}),
        "two words": lambda n: (f"{rng.choice(common)} {rng.choice(medium)}", {}),
        "quoted phrase": lambda n: (rng.choice(phrases), {}),
        "common word, page 3": lambda n: (rng.choice(common), {"offset": 40}),
    }


async def measure(store: Any, name: str, runs: int, seed: int = 11) -> list[Figure]:
    rng = random.Random(seed)
    figures = []
    for case, pick in query_cases(rng).items():

        async def run(_: int, pick=pick) -> int:
            raw, options = pick(0)
            hits = await store.search_messages(
                [BIG_SITE], SearchQuery.parse(raw), limit=21, **options
            )
            return len(hits)

        figures.append(await time_case(name, case, runs, run))

    async def all_sites(_: int) -> int:
        hits = await store.search_messages(
            list(range(1, SITES + 1)), SearchQuery.parse(rng.choice(["refund", "stock"])), limit=21
        )
        return len(hits)

    figures.append(await time_case(name, "common word, all 10 sites", runs, all_sites))

    async def people(_: int) -> int:
        found = await store.find_visitors(
            [BIG_SITE], SearchQuery.parse(rng.choice(FIRST + LAST)), limit=6
        )
        return len(found)

    figures.append(await time_case(name, "people by name", runs, people))

    async def contacts(n: int) -> int:
        found = await store.find_visitors([BIG_SITE], None, offset=(n % 5) * 30, limit=31)
        counted = await store.conversation_counts([BIG_SITE], [v.id for v in found])
        return len(found) + 0 * len(counted)

    figures.append(await time_case(name, "contacts page (with counts)", runs, contacts))
    return figures


async def write_cost(
    path: Path, messages: int, rounds: int = 3, concurrency: int = 32
) -> dict[str, float]:
    """Messages per second through ``append_message`` (the lane's group commit) with the
    FTS insert trigger and with it dropped, on the seeded file: rounds alternate, and each
    figure is the median of its rounds, so a busy moment of the machine weighs on both."""
    conn = sqlite3.connect(path, isolation_level=None)
    trigger_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'messages_fts_insert'"
    ).fetchone()[0]
    conversations = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM conversations WHERE site_id = ? LIMIT ?", (BIG_SITE, concurrency)
        )
    ]
    text = ChatText(99)
    per_writer = max(1, messages // len(conversations))

    async def writer(store: SqliteMessageStore, conversation_id: str) -> None:
        for _ in range(per_writer):
            message_id = store.new_id()
            await store.append_message(
                Message(
                    id=message_id,
                    conversation_id=conversation_id,
                    site_id=BIG_SITE,
                    author=Author(AuthorKind.VISITOR, "v", "Bench"),
                    text=text.sentence("Bench Visitor", "bench@mail.example"),
                    client_id=message_id,
                )
            )

    measured: dict[str, list[float]] = {"with the FTS trigger": [], "without it": []}
    for _ in range(rounds):
        for label in measured:
            if label == "without it":
                conn.execute("DROP TRIGGER messages_fts_insert")
            store = SqliteMessageStore(path)
            await store.init()
            started = time.perf_counter()
            await asyncio.gather(*(writer(store, c) for c in conversations))
            elapsed = time.perf_counter() - started
            measured[label].append(per_writer * len(conversations) / elapsed)
            await store.close()
            if label == "without it":
                conn.execute(trigger_sql)
    conn.close()
    return {label: statistics.median(rates) for label, rates in measured.items()}


# --- report ------------------------------------------------------------------------------


def render(
    store_name: str,
    volume: Volume,
    seconds: float,
    figures: list[Figure],
    rates: dict[str, float],
) -> str:
    lines = [
        f"**{store_name}**, measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{platform.machine()}, Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}: {volume.conversations:,} conversations, "
        f"{volume.messages:,} messages and as many visitors as conversations over {SITES} "
        f"sites. Seeding (bulk inserts, indexes included) took {seconds / 60:.1f} min.",
        "",
        "| query | p50 ms | p99 ms | runs | results on the page |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {f.case} | {f.p50_ms:.1f} | {f.p99_ms:.1f} | {f.runs} | {f.found:.1f} |"
        for f in figures
    ]
    if rates:
        lines += [
            "",
            "What the FTS insert trigger costs on the message path (`append_message` from 32 "
            "writers at once on the seeded file, group commit; the median of 3 alternating "
            "rounds each):",
            "",
            "| messages/s | |",
            "|---|---|",
        ]
        lines += [f"| {rate:,.0f} | {label} |" for label, rate in rates.items()]
    return "\n".join(lines)


def write_doc(key: str, block: str) -> None:
    """Rewrite this store's marked block of docs/benchmarks.md (added if missing)."""
    start, end = f"<!-- search-bench-{key}:start -->", f"<!-- search-bench-{key}:end -->"
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
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,mongo")
    parser.add_argument("--runs", type=int, default=200, help="runs per query case")
    parser.add_argument("--mongo-runs", type=int, default=50)
    parser.add_argument("--writes", type=int, default=3200, help="messages per write round")
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="a folder seeded by an earlier run (messages.db, mongo/): measure, do not seed",
    )
    parser.add_argument(
        "--seeded-in", type=float, default=0.0, help="with --reuse: the seconds seeding took"
    )
    parser.add_argument("--write", action="store_true", help="rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    volume = Volume(args.conversations, args.messages)
    stores = set(args.stores.split(","))
    with tempfile.TemporaryDirectory(dir=args.work_dir) as work:
        work_dir = args.reuse or Path(work)
        if "sqlite" in stores:
            await run_sqlite(work_dir / "messages.db", volume, args)
        if "mongo" in stores:
            await run_mongo(work_dir / "mongo", volume, args)


async def run_sqlite(path: Path, volume: Volume, args: argparse.Namespace) -> None:
    if args.reuse:
        seconds = args.seeded_in
    else:
        seconds = await seed_sqlite(path, volume)
        print(f"sqlite seeded in {seconds:.0f}s", flush=True)
    store = SqliteMessageStore(path)
    await store.init()
    figures = await measure(store, "SQLite", args.runs)
    await store.close()
    rates = await write_cost(path, args.writes)
    block = render("Embedded store (SQLite FTS5)", volume, seconds, figures, rates)
    print(block, flush=True)
    if args.write:
        write_doc("sqlite", block)


async def run_mongo(folder: Path, volume: Volume, args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.mongo_server import mongodb_url

    with mongodb_url(folder) as url:
        if args.reuse:
            seconds = args.seeded_in
        else:
            seconds = await seed_mongo(url, "search_bench", volume)
            print(f"mongo seeded in {seconds:.0f}s", flush=True)
        mongo = MongoMessageStore(url, "search_bench")
        await mongo.init()
        figures = await measure(mongo, "MongoDB", args.mongo_runs)
        await mongo.close()
    block = render("MongoDB store (on nx-27017)", volume, seconds, figures, {})
    print(block, flush=True)
    if args.write:
        write_doc("mongo", block)


if __name__ == "__main__":
    asyncio.run(main())
