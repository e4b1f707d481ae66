"""Redis round trips and commands per page view, departure and message (Redis store).

    python -m bench.redis_trips --visitors 100 --each 5

Starts Porchlight with Redis in a child process whose redis-py connections count every
write to Redis (one write is one round trip: a command, a pipeline or a script), by the
commands it carries, then drives new visitors' connects, their departures, returning
visitors' connects and a closed loop of messages, and prints the counts per operation.
The node's heartbeat (every 5 s) is counted too; it is a few commands per beat.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bench.load_client import ORIGIN, connect_agent, widget_auth
from bench.raw_socket import open_visitor
from bench.server_process import REDIS_URL, _child, _forget_namespace, _serve, free_port
from bench.visitors_load import located_addresses


def _serve_counting(data_dir: str, port: int, origin: str, extra: dict, out: str, ready) -> None:
    from redis.asyncio.connection import AbstractConnection

    trips: collections.Counter[str] = collections.Counter()
    commands: collections.Counter[str] = collections.Counter()
    send = AbstractConnection.send_packed_command

    def name_of(chunks: Any) -> list[str]:
        """The command names in a packed write (RESP: *<n>, $<len>, <name>, ...)."""
        raw = b"".join(bytes(c) for c in chunks) if isinstance(chunks, list) else bytes(chunks)
        names = []
        for part in raw.split(b"\r\n*"):
            fields = part.split(b"\r\n")
            if len(fields) > 2:
                names.append(fields[2].decode(errors="replace").upper())
        return names

    async def counted(self, command, check_health=True):  # type: ignore[no-untyped-def]
        names = name_of(command)
        if names:
            trips[" ".join(dict.fromkeys(names))] += 1
            commands.update(names)
        return await send(self, command, check_health)

    AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]

    def dump(*_args: Any) -> None:
        Path(out).write_text(json.dumps({"trips": trips, "commands": commands}))

    signal.signal(signal.SIGUSR1, dump)
    _serve(data_dir, port, origin, ready, extra)


def snapshot(pid: int, out: Path) -> dict[str, collections.Counter[str]]:
    out.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    for _ in range(100):
        if out.exists() and out.stat().st_size:
            data = json.loads(out.read_text())
            return {k: collections.Counter(v) for k, v in data.items()}
        time.sleep(0.05)
    raise RuntimeError("no counts from the server")


def per_op(before: dict, after: dict, n: int, title: str) -> None:
    trips = after["trips"] - before["trips"]
    commands = after["commands"] - before["commands"]
    print(
        f"\n{title}: {sum(trips.values()) / n:.2f} round trips, "
        f"{sum(commands.values()) / n:.2f} commands each ({n} counted)"
    )
    for what, count in trips.most_common(12):
        print(f"  {count / n:6.2f}  {what}")


async def drive(url: str, site_key: str, pid: int, out: Path, visitors: int, each: int) -> None:
    import socketio

    places = located_addresses(40)
    agent = await connect_agent(url)
    tokens: dict[int, str] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        held = []
        gate = asyncio.Semaphore(10)

        async def one(n: int) -> None:
            auth, headers = widget_auth(n, site_key, places)
            if n in tokens:
                auth["visitor_token"] = tokens[n]
            async with gate:
                ws, session = await open_visitor(http, url, auth, headers)
            tokens[n] = session.get("visitor_token") or tokens.get(n, "")
            held.append(ws)

        await asyncio.sleep(1)
        a = snapshot(pid, out)
        await asyncio.gather(*(one(n) for n in range(visitors)))
        b = snapshot(pid, out)
        per_op(a, b, visitors, "a new visitor's connect")
        for ws in held:
            await ws.close()
        held.clear()
        await asyncio.sleep(2)
        c = snapshot(pid, out)
        per_op(b, c, visitors, "a departure (the socket closes)")
        await asyncio.gather(*(one(n) for n in range(visitors)))
        d = snapshot(pid, out)
        per_op(c, d, visitors, "a returning visitor's connect")
        for ws in held:
            await ws.close()
        await asyncio.sleep(8)  # past the grace of visitor_left
    clients = []
    for n in range(visitors):
        auth, headers = widget_auth(n, site_key, places)
        auth["visitor_token"] = tokens[n]
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            url, namespaces=["/visitor"], auth=auth, headers=headers, transports=["websocket"]
        )
        clients.append(client)
    await asyncio.sleep(1)

    async def loop(i: int, client: Any, first: int, count: int) -> None:
        for m in range(first, first + count):
            ack = await client.call(
                "send_message",
                {"client_id": f"c{i}-{m}", "text": f"hi {m}"},
                namespace="/visitor",
                timeout=60,
            )
            assert ack.get("ok"), ack

    e = snapshot(pid, out)
    await asyncio.gather(*(loop(i, c, 0, 1) for i, c in enumerate(clients)))
    await asyncio.sleep(0.5)
    f = snapshot(pid, out)
    per_op(e, f, visitors, "a visitor's first message (opens a conversation)")
    await asyncio.gather(*(loop(i, c, 1, each) for i, c in enumerate(clients)))
    await asyncio.sleep(0.5)
    g = snapshot(pid, out)
    per_op(f, g, visitors * each, "a visitor's next message")
    for client in clients:
        await client.disconnect()
    await agent.client.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--each", type=int, default=5)
    options = parser.parse_args()
    namespace = f"bench-{uuid.uuid4().hex[:12]}"
    extra = {
        "trusted_proxies": ["127.0.0.1/32"],
        "redis_url": REDIS_URL,
        "redis_namespace": namespace,
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "counts.json"
        port = free_port()
        try:
            with _child(_serve_counting, (tmp, port, ORIGIN, extra, str(out))) as pid:
                site_key = json.loads((Path(tmp) / "site.json").read_text())["site_key"]
                asyncio.run(
                    drive(
                        f"http://127.0.0.1:{port}",
                        site_key,
                        pid,
                        out,
                        options.visitors,
                        options.each,
                    )
                )
        finally:
            _forget_namespace(namespace)


if __name__ == "__main__":
    main()
