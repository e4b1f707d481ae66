"""A real HTTP receiver on localhost, apps that may send to it, and a visitor to chat with."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from server.app import create_app
from server.keys import webhooks_key
from server.settings import Settings
from tests.realtime.conftest import tenant_a, visitor_of  # noqa: F401  (fixtures)
from tests.support.apps import REDIS_TEST_URL, make_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"

# Small numbers so retries and give-ups happen within a test.
FAST = {
    "webhooks_allow_private": True,
    "webhook_first_retry_seconds": 0.2,
    "webhook_poll_seconds": 0.05,
}


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def delivery(self) -> str:
        return self.headers["Porchlight-Delivery"]

    @property
    def event(self) -> str:
        return self.headers["Porchlight-Event"]


@dataclass
class Receiver:
    """Answers each request with the next planned status (200 once the plan runs out)."""

    plan: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        status = self.plan.pop(0) if self.plan else 200
        if self.delay:
            await asyncio.sleep(self.delay)
        async with self.arrived:
            self.received.append(Received(dict(request.headers), body, status))
            self.arrived.notify_all()
        return web.Response(status=status, text=f"answered {status}")

    async def wait_for(
        self, check: Callable[[list[Received]], bool], within: float = 10.0
    ) -> list[Received]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: check(self.received)), within)
        return self.received

    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]


@pytest.fixture
async def receiver():
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/{name}", receiver.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    receiver.url = str(server.make_url("/hooks/porchlight"))
    yield receiver
    await server.close()


@pytest.fixture(params=["embedded", "mongo+redis"])
async def app_settings(request, tmp_path, sql_template):
    if request.param == "embedded":
        return make_settings(tmp_path, sql_template, **FAST)
    return make_settings(
        tmp_path,
        sql_template,
        mongodb_url=request.getfixturevalue("mongo_url"),
        redis_url=REDIS_TEST_URL,
        **FAST,
    )


async def add_endpoint(app: web.Application, site_id: int, url: str, **data: Any):
    data.setdefault("events", ["message.created", "conversation.created"])
    return await app[webhooks_key].create(site_id, {"url": url, **data})


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[web.Application]:
    """An app started as a node starts (every resource, the webhook worker), no port."""
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    try:
        yield runner.app
    finally:
        await runner.cleanup()


@pytest.fixture
def node_settings(request, tmp_path, sql_template):
    """Factory: settings for nodes sharing one installation's stores (both shapes)."""
    shape = getattr(request, "param", "embedded")

    def make(**overrides: Any) -> Settings:
        mongo = {"mongodb_url": request.getfixturevalue("mongo_url")} if shape == "mongo" else {}
        return make_settings(tmp_path, sql_template, **FAST | mongo | overrides)

    return make


def documented_python_verifier() -> Callable[..., bool]:
    """The verification code exactly as docs/webhooks.md shows it."""
    [code] = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace["verify_porchlight"]


async def settled(app: web.Application, site_id: int, endpoint_id: int, count: int = 1):
    """The endpoint's newest ``count`` deliveries once none of them is pending."""
    deadline = time.monotonic() + 10
    while True:
        found, _ = await app[webhooks_key].deliveries(site_id, endpoint_id, None, count)
        if len(found) >= count and all(d.status != "pending" for d in found):
            return found
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.05)
