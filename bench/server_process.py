"""A Porchlight server in a child process, so load clients do not share its event loop."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

BENCH_EMAIL = "bench@bench.test"
BENCH_PASSWORD = "bench-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(data_dir: str, port: int, origin: str, ready: multiprocessing.synchronize.Event):
    from server.app import create_app
    from server.domain import Role
    from server.keys import auth_key, sites_key
    from server.settings import Settings
    from server.storage.sql.migrate import upgrade_async

    async def main() -> None:
        data = Path(data_dir)
        settings = Settings(
            data_dir=data,
            database_url=f"sqlite+aiosqlite:///{data / 'bench.db'}",
            secret_key="bench-" + "k" * 40,
            port=port,
        )
        await upgrade_async(settings.database_url)
        app = create_app(settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        site = await app[sites_key].create_site("Bench", [origin])
        agent = await app[auth_key].create_agent(BENCH_EMAIL, BENCH_PASSWORD)
        await app[auth_key].add_to_site(agent.id, site.id, Role.OWNER)
        (data / "site.json").write_text(json.dumps({"site_key": site.site_key}))
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


@contextmanager
def server_process(data_dir: Path, origin: str) -> Iterator[tuple[str, str]]:
    """Yields (base URL, site key); the child is terminated on exit."""
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    port = free_port()
    process = context.Process(target=_serve, args=(str(data_dir), port, origin, ready))
    process.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("the bench server did not start")
        site_key = json.loads((data_dir / "site.json").read_text())["site_key"]
        yield f"http://127.0.0.1:{port}", site_key
    finally:
        process.terminate()
        process.join(10)
