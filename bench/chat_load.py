"""Message latency under load: N visitors write, one agent receives, over real sockets.

Latency is measured from the visitor's emit to the agent's `message` event, both on this
machine's clock. The server runs in its own process; all clients share this one. Traffic
goes to 127.0.0.1 only, and every loop is bounded.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

from bench.server_process import BENCH_EMAIL, BENCH_PASSWORD, server_process

ORIGIN = "http://bench.test"


async def run_chat_load(visitors: int = 100, messages_each: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, server_process(Path(tmp), ORIGIN) as (url, key):
        return await _measure(url, key, visitors, messages_each)


async def _measure(url: str, site_key: str, visitors: int, each: int) -> dict[str, float]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{url}/api/v1/auth/login",
            json={"email": BENCH_EMAIL, "password": BENCH_PASSWORD},
        ) as response,
    ):
        token = (await response.json())["token"]

    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()
    total = visitors * each

    agent_client = socketio.AsyncClient(reconnection=False)

    async def on_message(message: dict) -> None:
        started = sent_at.get(message["client_id"])
        if started is not None:
            latencies.append(time.perf_counter() - started)
            if len(latencies) >= total:
                done.set()

    agent_client.on("message", on_message, namespace="/agent")
    await agent_client.connect(
        url, namespaces=["/agent"], auth={"token": token}, transports=["websocket"]
    )

    clients = []
    connect_started = time.perf_counter()
    for n in range(visitors):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            url,
            namespaces=["/visitor"],
            auth={
                "site_key": site_key,
                "page": {"url": f"{ORIGIN}/p/{n}", "title": "P", "referrer": ""},
            },
            headers={"Origin": ORIGIN},
            transports=["websocket"],
        )
        clients.append(client)
    connect_seconds = time.perf_counter() - connect_started

    async def visitor_loop(index: int, client: socketio.AsyncClient) -> None:
        for m in range(each):
            client_id = f"v{index}-m{m}"
            sent_at[client_id] = time.perf_counter()
            await client.call(
                "send_message",
                {"client_id": client_id, "text": f"hello {m}"},
                namespace="/visitor",
                timeout=30,
            )

    started = time.perf_counter()
    await asyncio.gather(*(visitor_loop(i, c) for i, c in enumerate(clients)))
    await asyncio.wait_for(done.wait(), timeout=60)
    elapsed = time.perf_counter() - started

    for client in clients:
        await client.disconnect()
    await agent_client.disconnect()
    latencies.sort()
    return {
        "visitors": visitors,
        "messages": total,
        "connect_per_visitor_ms": connect_seconds / visitors * 1000,
        "throughput_msgs_per_s": total / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }
