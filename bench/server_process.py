"""A server in a child process, so load clients do not share its event loop.

``server_process`` starts Porchlight on the embedded stores; ``product_server`` starts it
on a chosen store combination and ``bare_server`` the bare python-socketio relay
(bench/bare_relay.py). Both yield a ``Target`` whose ``pid`` lets the bench read the
server's CPU time and memory from /proc (bench/proc.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import multiprocessing
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

BENCH_EMAIL = "bench@bench.test"
BENCH_PASSWORD = "bench-password"
REDIS_URL = os.environ.get("PORCHLIGHT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
STORES = ("embedded", "redis", "mongo")


@dataclass(frozen=True)
class Target:
    """A running server: where it listens, its site key, and its process."""

    name: str
    url: str
    site_key: str
    pid: int
    # A database server of its own that the bench started (the MongoDB wire server).
    db_pid: int | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(
    data_dir: str,
    port: int,
    origin: str | list[str],
    ready: multiprocessing.synchronize.Event,
    extra: dict[str, Any] | None = None,
):
    from bench.load_client import raise_open_files
    from server.app import create_app
    from server.domain import Role
    from server.keys import auth_key, sites_key
    from server.rate_limit_rules import RateLimitRules
    from server.serve import settle_heap
    from server.settings import Settings
    from server.storage.sql.migrate import upgrade_async

    raise_open_files()  # 10,000 idle sockets are 10,000 descriptors
    extra = dict(extra or {})
    # Every visitor comes from this machine's one address: the limits are still checked
    # (their cost is part of the path measured) but never reached.
    extra.setdefault("rate_limits", RateLimitRules.never_reached())
    # Idle sockets come from 40 addresses: 10,000 of them are 250 an address.
    extra.setdefault("max_sockets_per_address", 1_000_000)
    if "trusted_proxies" in extra:
        extra["trusted_proxies"] = tuple(ipaddress.ip_network(n) for n in extra["trusted_proxies"])

    async def main() -> None:
        data = Path(data_dir)
        settings = Settings(
            data_dir=data,
            database_url=f"sqlite+aiosqlite:///{data / 'bench.db'}",
            secret_key="bench-" + "k" * 40,
            port=port,
            **extra,
        )
        await upgrade_async(settings.database_url)
        app = create_app(settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
        origins = [origin] if isinstance(origin, str) else list(origin)
        site = await app[sites_key].create_site("Bench", origins)
        agent = await app[auth_key].create_agent(BENCH_EMAIL, BENCH_PASSWORD)
        await app[auth_key].add_to_site(agent.id, site.id, Role.OWNER)
        (data / "site.json").write_text(json.dumps({"site_key": site.site_key}))
        settle_heap()  # as `porchlight run` does once it listens
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


@contextmanager
def _child(target: Any, args: tuple, timeout: float = 60) -> Iterator[int]:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=target, args=(*args, ready))
    process.start()
    try:
        if not ready.wait(timeout):
            raise RuntimeError("the bench server did not start")
        yield process.pid
    finally:
        process.terminate()
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


def _serve_with(data_dir: str, port: int, origin: str | list[str], extra: dict, ready) -> None:
    _serve(data_dir, port, origin, ready, extra)


@contextmanager
def server_process(data_dir: Path, origin: str) -> Iterator[tuple[str, str]]:
    """Porchlight on the embedded stores; yields (base URL, site key)."""
    port = free_port()
    with _child(_serve_with, (str(data_dir), port, origin, {})):
        site_key = json.loads((data_dir / "site.json").read_text())["site_key"]
        yield f"http://127.0.0.1:{port}", site_key


@contextmanager
def product_server(data_dir: Path, origin: str | list[str], store: str) -> Iterator[Target]:
    """Porchlight on ``store``: "embedded" (SQLite, in-process cache), "redis" (SQLite with
    Redis under a namespace of its own, deleted afterwards), or "mongo" (the MongoDB wire
    server the tests use). 127.0.0.1 is a trusted proxy, so X-Forwarded-For places visitors.
    """
    if store not in STORES:
        raise ValueError(f"store must be one of {STORES}, got {store!r}")
    extra: dict[str, Any] = {"trusted_proxies": ["127.0.0.1/32"]}
    with ExitStack() as stack:
        if store == "redis":
            namespace = f"bench-{uuid.uuid4().hex[:12]}"
            extra |= {"redis_url": REDIS_URL, "redis_namespace": namespace}
            stack.callback(_forget_namespace, namespace)
        elif store == "mongo":
            from tests.mongo_server import mongodb_url

            (data_dir / "mongo").mkdir()
            extra["mongodb_url"] = stack.enter_context(mongodb_url(data_dir / "mongo"))
            extra["mongodb_database"] = "bench"
        port = free_port()
        pid = stack.enter_context(_child(_serve_with, (str(data_dir), port, origin, extra)))
        site_key = json.loads((data_dir / "site.json").read_text())["site_key"]
        pid_file = data_dir / "mongo" / "nx-27017.pid"
        db_pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
        yield Target(store, f"http://127.0.0.1:{port}", site_key, pid, db_pid)


@contextmanager
def bare_server() -> Iterator[Target]:
    from bench.bare_relay import serve

    port = free_port()
    with _child(serve, (port,)) as pid:
        yield Target("bare relay", f"http://127.0.0.1:{port}", "bare", pid)


def _forget_namespace(namespace: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(f"{namespace}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()
