"""The client side of the A/B bench, run in a process of its own (never the server's).

Every function takes a running server's address and returns plain figures. The same code
drives the bare relay and Porchlight: an agent on ``/agent`` (with a token for Porchlight),
visitors on ``/visitor`` connecting as the widget does. Traffic goes to 127.0.0.1 only and
every loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import aiohttp
import orjson
import socketio
from socketio import packet

from bench.proc import cpu_seconds, rss_anon_file
from bench.raw_socket import RawVisitor, keep_alive, open_visitor, outcome
from bench.server_process import BENCH_EMAIL, BENCH_PASSWORD
from bench.visitors_load import FakeVisitor, located_addresses

ORIGIN = "http://bench.test"
LATENCY_LIMIT_S = 0.25
DRAIN_S = 5.0
DEPARTURE_SETTLE_S = 6.0  # the server's 5 s grace before "visitor_left", and a second
BUSY_RETRIES = 5  # a closed-loop visitor sends a message told busy again, up to this often


def raise_open_files(wanted: int = 32_768) -> int:
    """Raise this process's soft limit on open files towards ``wanted`` (never above the
    hard limit, which only root may raise); returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return max(soft, target)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * q + 0.5) - 1))]


@dataclass
class Agent:
    """One agent socket receiving every visitor message; latency from each emit."""

    client: socketio.AsyncClient
    token: str | None
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies: dict[str, float] = field(default_factory=dict)

    async def on_message(self, message: dict) -> None:
        client_id = message.get("client_id")
        started = self.sent_at.get(client_id)
        if started is not None and client_id not in self.latencies:
            self.latencies[client_id] = time.perf_counter() - started


class _Orjson:
    @staticmethod
    def dumps(data: Any, **_options: Any) -> str:
        return orjson.dumps(data).decode()

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return orjson.loads(text)


class BrowserLikePacket(packet.Packet):
    """The agent reads its packets with orjson, as a dashboard reads them with the
    browser's native ``JSON.parse``: the standard library's decoder would add tens of
    milliseconds of the bench's own to a large answer (``list_visitors``)."""

    json = _Orjson


async def agent_token(url: str) -> str | None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{url}/api/v1/auth/login", json={"email": BENCH_EMAIL, "password": BENCH_PASSWORD}
        ) as response,
    ):
        if response.status == 404:
            return None  # the bare relay has no logins
        return (await response.json())["token"]


async def connect_agent(url: str) -> Agent:
    token = await agent_token(url)
    client = socketio.AsyncClient(reconnection=False, serializer=BrowserLikePacket)
    agent = Agent(client, token)
    client.on("message", agent.on_message, namespace="/agent")
    await client.connect(
        url,
        namespaces=["/agent"],
        auth={"token": token} if token else {},
        transports=["websocket"],
    )
    return agent


def widget_auth(n: int, site_key: str, places: list[tuple[str, str]]) -> tuple[dict, dict]:
    """What the widget sends on connect (site key, page, device, fingerprint) and headers
    with an X-Forwarded-For address that GeoIP places in a city."""
    address, zone = places[n % len(places)]
    visitor = FakeVisitor(n, address, zone, random.Random(n))
    return visitor.auth(site_key, ORIGIN), {"Origin": ORIGIN, "X-Forwarded-For": address}


async def connect_visitors(
    http: aiohttp.ClientSession, url: str, site_key: str, count: int, parallel: int = 20
) -> list[RawVisitor]:
    """``count`` visitors as the widget connects them, each a bare WebSocket
    (bench/raw_socket.py) that reads only the acks of what it sends."""
    places = located_addresses(40)
    visitors: list[RawVisitor] = []
    gate = asyncio.Semaphore(parallel)

    async def one(n: int) -> None:
        auth, headers = widget_auth(n, site_key, places)
        async with gate:
            ws, _session = await open_visitor(http, url, auth, headers)
            visitors.append(RawVisitor(ws))

    await asyncio.gather(*(one(n) for n in range(count)))
    return visitors


async def _disconnect(visitors: list[RawVisitor]) -> None:
    for chunk in _chunks(visitors, 50):
        await asyncio.gather(*(v.close() for v in chunk), return_exceptions=True)


def _chunks(items: list, size: int):
    return (items[i : i + size] for i in range(0, len(items), size))


# --- (a) closed loop and (b) open loop -------------------------------------------------


async def _messages(
    url: str, site_key: str, plan: dict[str, Any], cpu: Any, db_cpu: Any = None
) -> dict[str, Any]:
    agent = await connect_agent(url)
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    clients = await connect_visitors(http, url, site_key, plan["visitors"])
    try:
        db_before = db_cpu() if db_cpu else 0.0
        closed = await _closed_loop(agent, clients, plan["each"], cpu)
        if db_cpu:
            used = db_cpu() - db_before
            closed["db_cpu_ms_per_message"] = used * 1000 / max(1, closed["messages"])
        if plan.get("refusals"):
            refusals = await _refusals(clients, plan["messages_db"], *plan["refusals"], cpu)
            return {"closed": closed, "refusals": refusals}
        ladder = []
        for rate in [plan["sustained"]] if plan.get("sustained") else plan["rates"]:
            step = await _open_loop(agent, clients, rate, plan["seconds"], cpu, db_cpu)
            ladder.append(step)
            if not step["sustained"] and not plan.get("every_step"):
                break
        # A rate given in the plan is taken as sustained whatever its step showed, so that
        # runs compared side by side offer the same overload.
        sustained = plan.get("sustained") or max(
            (s["offered"] for s in ladder if s["sustained"]), default=0
        )
        overload = []
        for factor in plan["overload"]:
            if sustained:
                seconds = plan["overload_seconds"]
                step = await _open_loop(agent, clients, sustained * factor, seconds, cpu)
                overload.append({**step, "factor": factor})
        return {"closed": closed, "ladder": ladder, "sustained": sustained, "overload": overload}
    finally:
        await _disconnect(clients)
        await http.close()
        await agent.client.disconnect()


async def _closed_loop(
    agent: Agent, clients: list[RawVisitor], each: int, cpu: Any
) -> dict[str, float]:
    """Every visitor sends ``each`` messages, one after the other's ack, all at once. A
    ``busy`` ack is sent again after its ``retry_after``, as the widget does (at most
    ``BUSY_RETRIES`` times), and counted apart from failures."""
    failed = 0
    retries = 0

    async def visitor_loop(index: int, client: RawVisitor) -> None:
        nonlocal failed, retries
        for m in range(each):
            client_id = f"c{index}-{m}"
            agent.sent_at[client_id] = time.perf_counter()
            for attempt in range(BUSY_RETRIES + 1):
                answer = await client.send_message(client_id, f"hello {m}")
                ack = json.loads(await asyncio.wait_for(answer, 60))[0]
                if ack.get("code") != "busy" or attempt == BUSY_RETRIES:
                    break
                retries += 1
                await asyncio.sleep(float(ack.get("retry_after") or 1))
            if not ack.get("ok"):
                failed += 1
                agent.sent_at.pop(client_id, None)

    cpu_before, started = cpu(), time.perf_counter()
    await asyncio.gather(*(visitor_loop(i, c) for i, c in enumerate(clients)))
    total = len(clients) * each - failed
    await _until(lambda: len(agent.latencies) >= total, 30)
    elapsed = time.perf_counter() - started
    cpu_used = cpu() - cpu_before
    latencies = list(agent.latencies.values())
    agent.sent_at.clear()
    agent.latencies.clear()
    return {
        "messages": total,
        "failed": failed,
        "busy_retries": retries,
        "throughput": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "cpu_ms_per_message": cpu_used / max(1, len(latencies)) * 1000,
    }


async def _open_loop(
    agent: Agent,
    clients: list[RawVisitor],
    rate: float,
    seconds: float,
    cpu: Any,
    db_cpu: Any = None,
) -> dict[str, Any]:
    """Send at ``rate`` messages a second on a fixed schedule, whatever the answers. The
    acks are classified from their first bytes (``outcome``), so that at thousands a second
    the client, in its own process, keeps the schedule and the server is what is measured."""
    count = max(1, round(rate * seconds))
    counts = {"ok": 0, "busy": 0, "failed": 0}
    answered = 0
    prefix = f"o{rate:g}-"

    def on_ack(client_id: str):
        def callback(answer: asyncio.Future[str]) -> None:
            nonlocal answered
            answered += 1
            kind = (
                "failed" if answer.cancelled() or answer.exception() else outcome(answer.result())
            )
            counts[kind] += 1
            if kind != "ok":
                agent.sent_at.pop(client_id, None)

        return callback

    db_before = db_cpu() if db_cpu else 0.0
    cpu_before, started = cpu(), time.perf_counter()
    for n in range(count):
        due = started + n / rate
        ahead = due - time.perf_counter()
        if ahead > 0.001:
            await asyncio.sleep(ahead)
        client_id = f"{prefix}{n}"
        agent.sent_at[client_id] = time.perf_counter()
        answer = await clients[n % len(clients)].send_message(client_id, f"open {n}")
        answer.add_done_callback(on_ack(client_id))
    sending = time.perf_counter() - started
    await _until(lambda: answered >= count and len(agent.latencies) >= counts["ok"], DRAIN_S)
    elapsed = max(
        sending,
        max((agent.sent_at[k] + v for k, v in agent.latencies.items()), default=0) - started,
    )
    cpu_used = cpu() - cpu_before
    db_used = db_cpu() - db_before if db_cpu else None
    latencies = list(agent.latencies.values())
    delivered = len(latencies)
    # Goodput: messages that reached the agent while the load was being offered.
    window_end = started + sending
    in_window = sum(1 for k, v in agent.latencies.items() if agent.sent_at[k] + v <= window_end)
    counts["failed"] += count - answered  # no answer within the drain time
    p99 = percentile(latencies, 0.99)
    agent.sent_at.clear()
    agent.latencies.clear()
    await asyncio.sleep(0.3)  # let stragglers settle before the next step
    return {
        "offered": rate,
        "offered_actual": count / sending if sending > 0 else rate,
        "sent": count,
        "delivered": delivered,
        "delivered_per_s": delivered / elapsed,
        "goodput_per_s": in_window / sending if sending > 0 else 0.0,
        "busy": counts["busy"],
        "failed": counts["failed"],
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": p99 * 1000,
        "cpu_ms_per_message": cpu_used / max(1, delivered) * 1000,
        "cpu_s": cpu_used,
        "ok": counts["ok"],
        # The database server's (the MongoDB wire server's), when the bench started one.
        "db_cpu_ms_per_message": None if db_used is None else db_used / max(1, delivered) * 1000,
        "sustained": delivered == count and p99 < LATENCY_LIMIT_S,
    }


async def _refusals(
    clients: list[RawVisitor], messages_db: str, count: int, rate: float, cpu: Any
) -> dict[str, Any]:
    """The server's CPU per busy answer alone: another process (this one) holds the
    embedded message store's write lock, so the admitted messages wait and fill the bound;
    once they have, ``count`` messages are sent at ``rate`` and every one is refused."""
    holder = sqlite3.connect(messages_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    answers: list[asyncio.Future[str]] = []
    try:
        filling = [
            await clients[n % len(clients)].send_message(f"fill-{n}", "fill") for n in range(400)
        ]
        await _until(lambda: sum(f.done() for f in filling) >= 400 - 128, 30)
        cpu_before, started = cpu(), time.perf_counter()
        for n in range(count):
            ahead = started + n / rate - time.perf_counter()
            if ahead > 0.001:
                await asyncio.sleep(ahead)
            client = clients[n % len(clients)]
            answers.append(await client.send_message(f"refused-{n}", "refused"))
        sending = time.perf_counter() - started
        await _until(lambda: all(a.done() for a in answers), DRAIN_S)
        cpu_used = cpu() - cpu_before
        kinds = [outcome(a.result()) if a.done() and not a.exception() else "none" for a in answers]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await _until(lambda: all(f.done() for f in filling), 30)
    return {
        "sent": count,
        "sent_per_s": count / sending,
        "busy": kinds.count("busy"),
        "other": count - kinds.count("busy"),
        "cpu_s": cpu_used,
        "us_per_refusal": cpu_used * 1e6 / count,
    }


async def _until(condition: Any, seconds: float) -> None:
    """Poll ``condition`` (figures the socket callbacks update) for at most ``seconds``."""
    deadline = time.perf_counter() + seconds
    while not condition() and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)


# --- (d) connects and (e) idle sockets ---------------------------------------------------


async def _connects(
    url: str, site_key: str, count: int, parallel: int, cpu: Any, departures: bool = False
) -> dict:
    """Page views: half by visitors back with the token an earlier page view gave them
    (the widget keeps it), half by new visitors, ``parallel`` at a time. With
    ``departures``, also the CPU of their departures: every socket closed at once, counted
    until the server has announced them gone (the grace for a return, and a second)."""
    places = located_addresses(40)
    agent = await connect_agent(url)
    held: list[aiohttp.ClientWebSocketResponse] = []
    durations: list[float] = []
    refused = 0
    gate = asyncio.Semaphore(parallel)
    tokens: dict[int, str] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def one(n: int, keep: bool) -> None:
            nonlocal refused
            auth, headers = widget_auth(n, site_key, places)
            if n in tokens:
                auth["visitor_token"] = tokens[n]
            async with gate:
                began = time.perf_counter()
                try:
                    ws, session = await open_visitor(http, url, auth, headers)
                except Exception:
                    refused += 1
                    return
                durations.append(time.perf_counter() - began)
                if session.get("visitor_token"):
                    tokens[n] = session["visitor_token"]
                if keep:
                    held.append(ws)
                else:
                    await ws.close()

        returning = range(0, count, 2)
        await asyncio.gather(*(one(n, keep=False) for n in returning))  # their first visit
        durations.clear()
        refused = 0
        await asyncio.sleep(1)
        cpu_before, started = cpu(), time.perf_counter()
        await asyncio.gather(*(one(n, keep=True) for n in range(count)))
        elapsed = time.perf_counter() - started
        cpu_used = cpu() - cpu_before
        cpu_before = cpu()
        for ws in held:
            await ws.close()
        if departures:
            await asyncio.sleep(DEPARTURE_SETTLE_S)
            departure_ms = (cpu() - cpu_before) / max(1, len(held)) * 1000
    await agent.client.disconnect()
    return {
        **({"cpu_ms_per_departure": departure_ms} if departures else {}),
        "connects": len(durations),
        "refused": refused,
        "returning": sum(1 for n in returning if n in tokens),
        "per_s": len(durations) / elapsed,
        "p50_ms": percentile(durations, 0.5) * 1000,
        "p99_ms": percentile(durations, 0.99) * 1000,
        "cpu_ms_per_connect": cpu_used / max(1, len(durations)) * 1000,
    }


IDLE_BUDGET_S = 300.0  # connecting stops here; the figures are for the sockets held by then


async def _idle(
    url: str, site_key: str, count: int, memory: Any, list_at: int, deflate: bool
) -> dict:
    """Hold ``count`` visitor sockets; resident memory added per socket. ``list_visitors``
    runs once ``list_at`` are online; what the listing itself leaves in memory (its answer
    is over a megabyte at 1,000 online) is measured around it and left out of the figure."""
    raise_open_files(count + 1024)
    places = located_addresses(40)
    agent = await connect_agent(url)
    held: list[aiohttp.ClientWebSocketResponse] = []
    keepers: list[asyncio.Task] = []
    gate = asyncio.Semaphore(50)
    refused = 0
    list_ms: list[float] = []
    listing_bytes = [0, 0]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def one(n: int) -> None:
            nonlocal refused
            auth, headers = widget_auth(n, site_key, places)
            async with gate:
                if time.perf_counter() > deadline:
                    return
                try:
                    ws, _session = await open_visitor(http, url, auth, headers, deflate=deflate)
                except Exception:
                    refused += 1
                    return
                held.append(ws)
                keepers.append(asyncio.create_task(keep_alive(ws)))

        deadline = time.perf_counter() + IDLE_BUDGET_S
        # A few sockets first, so the baseline includes what the first connects load.
        await asyncio.gather(*(one(n) for n in range(20)))
        await asyncio.sleep(1)
        base_count, base, started = len(held), memory(), time.perf_counter()
        first = min(list_at, count)
        await asyncio.gather(*(one(n) for n in range(20, first)))
        if agent.token:
            await asyncio.sleep(1)
            before_listing = memory()
            for _ in range(5):
                began = time.perf_counter()
                ack = await agent.client.call("list_visitors", {}, namespace="/agent", timeout=60)
                list_ms.append((time.perf_counter() - began) * 1000)
                listed = len(ack.get("visitors", []))
            await asyncio.sleep(1)
            listing_bytes = [a - b for a, b in zip(memory(), before_listing, strict=True)]
        await asyncio.gather(*(one(n) for n in range(first, count)))
        connect_s = time.perf_counter() - started
        await asyncio.sleep(2)
        extra = max(1, len(held) - base_count)
        anon, file = (
            (now - then - listing) / extra
            for now, then, listing in zip(memory(), base, listing_bytes, strict=True)
        )
        for task in keepers:
            task.cancel()
        for chunk in _chunks(held, 200):
            await asyncio.gather(*(ws.close() for ws in chunk), return_exceptions=True)
    await agent.client.disconnect()
    return {
        "held": len(held),
        "wanted": count,
        "refused": refused,
        "deflate": deflate,
        "connect_s": connect_s,
        "rss_per_socket_kb": (anon + file) / 1024,
        "anon_per_socket_kb": anon / 1024,
        "file_per_socket_kb": file / 1024,
        "listing_mb": sum(listing_bytes) / 2**20,
        "list_visitors_ms": statistics.median(list_ms) if list_ms else None,
        "listed": listed if list_ms else None,
    }


# --- entry points (each runs in the client process) --------------------------------------


def measure_messages(
    url: str, site_key: str, pid: int, plan: dict[str, Any], db_pid: int | None = None
) -> dict[str, Any]:
    """Messages; with ``db_pid``, the closed loop also reports that process's CPU."""
    db_cpu = partial(cpu_seconds, db_pid) if db_pid else None
    return asyncio.run(_messages(url, site_key, plan, partial(cpu_seconds, pid), db_cpu))


def measure_connects(
    url: str, site_key: str, pid: int, count: int, parallel: int, departures: bool = False
) -> dict:
    cpu = partial(cpu_seconds, pid)
    return asyncio.run(_connects(url, site_key, count, parallel, cpu, departures))


def measure_idle(
    url: str, site_key: str, pid: int, count: int, list_at: int = 1000, deflate: bool = False
) -> dict:
    """Idle sockets; ``deflate`` offers permessage-deflate on each, as browsers do."""
    return asyncio.run(_idle(url, site_key, count, partial(rss_anon_file, pid), list_at, deflate))
