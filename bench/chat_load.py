"""Message latency under load: N visitors write, one agent receives, over real sockets.

Latency is measured from the visitor's emit to the agent's `message` event, both on this
machine's clock. Traffic goes to 127.0.0.1 only, and every loop is bounded.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio
from aiohttp import web

from server.app import create_app
from server.keys import auth_key, sites_key
from server.settings import Settings
from server.storage.sql.migrate import upgrade_async

ORIGIN = "http://bench.test"


async def run_chat_load(visitors: int = 100, messages_each: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        settings = Settings(
            data_dir=data,
            database_url=f"sqlite+aiosqlite:///{data / 'bench.db'}",
            secret_key="bench-" + "k" * 40,
        )
        await upgrade_async(settings.database_url)
        app = create_app(settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        try:
            return await _measure(app, url, visitors, messages_each)
        finally:
            await runner.cleanup()


async def _measure(app: web.Application, url: str, visitors: int, each: int) -> dict[str, float]:
    tenant = await app[sites_key].create_site("Bench", [ORIGIN])
    agent = await app[auth_key].create_agent("bench@bench.test", "bench-password")
    from server.domain import Role

    await app[auth_key].add_to_site(agent.id, tenant.id, Role.OWNER)
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{url}/api/v1/auth/login",
            json={"email": "bench@bench.test", "password": "bench-password"},
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
                "site_key": tenant.site_key,
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
