"""What a page view and a message cost on the MongoDB store: commands and CPU per operation.

    python -m bench.mongo_ops                     # 100 visitors, 5 messages each
    python -m bench.mongo_ops --visitors 200 --each 10

Starts Porchlight on the MongoDB wire server the tests use (nx-27017), counts every command
the server sends it (PyMongo's command monitoring, in the server's process) and reads both
processes' CPU time from /proc, phase by phase: new visitors' connects, their first
messages (each opens a conversation), later messages (closed loop, each after the previous
ack), page views by visitors back with their token, and disconnects. The counts include
the writes made behind an ack (report facts): each phase waits until the commands stop.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from bench.load_client import ORIGIN, connect_agent, located_addresses, widget_auth
from bench.proc import cpu_seconds
from bench.raw_socket import open_visitor
from bench.server_process import _child, _serve, free_port

COUNTS_FILE = "commands.json"
WRITES_OF = {"insert": "documents", "update": "updates", "delete": "deletes"}


def _serve_counting(data_dir: str, port: int, origin: str, extra: dict, ready) -> None:
    from pymongo import monitoring

    counts: collections.Counter[str] = collections.Counter()

    class Counting(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            target = event.command.get(event.command_name)
            on = target if isinstance(target, str) else ""
            counts[f"{event.command_name} {on}".strip()] += 1
            # A bulk command writes many documents, each one of the wire server's writes.
            many = event.command.get(WRITES_OF.get(event.command_name, ""))
            if many is not None:
                counts[f"  documents: {event.command_name} {on}"] += len(many)

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            counts["failed " + event.command_name] += 1

    monitoring.register(Counting())
    path = Path(data_dir) / COUNTS_FILE

    def dump() -> None:
        part = path.with_suffix(".part")
        part.write_text(json.dumps(counts))
        part.replace(path)  # whole, never half written

    import threading

    def every_100ms() -> None:
        while True:
            dump()
            time.sleep(0.1)

    threading.Thread(target=every_100ms, daemon=True).start()
    _serve(data_dir, port, origin, ready, extra)


class Meter:
    def __init__(self, data_dir: Path, pid: int, db_pid: int) -> None:
        self._file = data_dir / COUNTS_FILE
        self._pid, self._db_pid = pid, db_pid

    def counts(self) -> collections.Counter[str]:
        return collections.Counter(json.loads(self._file.read_text()))

    def snapshot(self) -> tuple[collections.Counter[str], float, float]:
        return self.counts(), cpu_seconds(self._pid), cpu_seconds(self._db_pid)

    async def settle(self) -> None:
        """Wait until no command has been sent for half a second."""
        last = sum(self.counts().values())
        while True:
            await asyncio.sleep(0.5)
            now = sum(self.counts().values())
            if now == last:
                return
            last = now


async def phase(meter: Meter, name: str, n: int, work: Any, out: dict) -> Any:
    await meter.settle()
    before, cpu0, db0 = meter.snapshot()
    result = await work()
    await meter.settle()
    after, cpu1, db1 = meter.snapshot()
    diff = {k: (after[k] - before[k]) / n for k in after if after[k] != before[k]}
    commands = {k: v for k, v in diff.items() if not k.startswith(" ")}
    out[name] = {
        "n": n,
        "commands": round(sum(commands.values()), 2),
        "documents_written": round(sum(v for k, v in diff.items() if k.startswith(" ")), 2),
        "by_command": dict(sorted(diff.items(), key=lambda kv: -kv[1])),
        "server_cpu_ms": (cpu1 - cpu0) * 1000 / n,
        "wire_cpu_ms": (db1 - db0) * 1000 / n,
    }
    return result


async def run(url: str, site_key: str, meter: Meter, visitors: int, each: int) -> dict:
    out: dict[str, Any] = {}
    places = located_addresses(40)
    agent = await connect_agent(url)
    clients: list[socketio.AsyncClient] = []
    tokens: dict[int, str] = {}

    async def connect_all() -> None:
        gate = asyncio.Semaphore(10)

        async def one(n: int) -> None:
            auth, headers = widget_auth(n, site_key, places)
            client = socketio.AsyncClient(reconnection=False)
            client.on(
                "session",
                lambda s, n=n: tokens.__setitem__(n, s.get("visitor_token")),
                namespace="/visitor",
            )
            async with gate:
                await client.connect(
                    url,
                    namespaces=["/visitor"],
                    auth=auth,
                    headers=headers,
                    transports=["websocket"],
                    wait_timeout=30,
                )
            clients.append(client)

        await asyncio.gather(*(one(n) for n in range(visitors)))

    async def send(count: int, prefix: str) -> None:
        async def loop(i: int, client: socketio.AsyncClient) -> None:
            for m in range(count):
                ack = await client.call(
                    "send_message",
                    {"client_id": f"{prefix}{i}-{m}", "text": f"hello {m}"},
                    namespace="/visitor",
                    timeout=60,
                )
                if not ack.get("ok"):
                    print("not ok:", ack)

        await asyncio.gather(*(loop(i, c) for i, c in enumerate(clients)))

    async def disconnect_all() -> None:
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        await asyncio.sleep(1)

    async def returning() -> None:
        gate = asyncio.Semaphore(10)
        async with aiohttp.ClientSession() as http:

            async def one(n: int) -> None:
                auth, headers = widget_auth(n, site_key, places)
                auth["visitor_token"] = tokens.get(n)
                async with gate:
                    ws, _ = await open_visitor(http, url, auth, headers)
                await ws.close()

            await asyncio.gather(*(one(n) for n in range(visitors)))
            await asyncio.sleep(1)

    await phase(meter, "connect (new visitor)", visitors, connect_all, out)
    await phase(meter, "first message (opens a conversation)", visitors, lambda: send(1, "f"), out)
    await phase(meter, "message (closed loop)", visitors * each, lambda: send(each, "m"), out)
    await phase(meter, "disconnect", visitors, disconnect_all, out)
    await phase(
        meter, "page view (returning visitor: connect and disconnect)", visitors, returning, out
    )
    await agent.client.disconnect()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--each", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from tests.mongo_server import mongodb_url

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        data = Path(tmp)
        (data / "mongo").mkdir()
        extra = {
            "trusted_proxies": ["127.0.0.1/32"],
            "mongodb_url": stack.enter_context(mongodb_url(data / "mongo")),
            "mongodb_database": "bench",
        }
        port = free_port()
        pid = stack.enter_context(_child(_serve_counting, (str(data), port, ORIGIN, extra)))
        db_pid = int((data / "mongo" / "nx-27017.pid").read_text().strip())
        site_key = json.loads((data / "site.json").read_text())["site_key"]
        meter = Meter(data, pid, db_pid)
        result = asyncio.run(
            run(f"http://127.0.0.1:{port}", site_key, meter, args.visitors, args.each)
        )
    if args.json:
        print(json.dumps(result))
        return
    for name, figures in result.items():
        print(
            f"{name}: {figures['commands']:.2f} commands"
            f" ({figures['documents_written']:.2f} documents written),"
            f" server {figures['server_cpu_ms']:.2f} ms CPU,"
            f" wire server {figures['wire_cpu_ms']:.2f} ms CPU (n={figures['n']})"
        )
        for command, n in figures["by_command"].items():
            print(f"    {n:6.2f}  {command}")


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    main()
