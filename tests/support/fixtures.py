"""Fixtures shared by the app-level suites: real SQLite, real Redis, a Mongo wire server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from server.app import create_app
from tests.support.apps import REDIS_TEST_URL, make_settings, migrated_template
from tests.support.sockets import RecordingClient


@pytest.fixture(scope="session")
def sql_template(tmp_path_factory: pytest.TempPathFactory):
    return migrated_template(tmp_path_factory.mktemp("sql-template"))


async def _drop_namespace(namespace: str) -> None:
    """Each test app has its own Redis namespace, so parallel runs never see each other."""
    client = aioredis.Redis.from_url(REDIS_TEST_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}:*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(params=["embedded", "mongo+redis"])
async def app_settings(request: pytest.FixtureRequest, tmp_path, sql_template):
    """Each app-level test runs on both shapes: SQLite store with in-process fan-out, and
    MongoDB store with Redis presence and Redis fan-out between Socket.IO servers."""
    if request.param == "embedded":
        yield make_settings(tmp_path, sql_template)
        return
    settings = make_settings(
        tmp_path,
        sql_template,
        mongodb_url=request.getfixturevalue("mongo_url"),
        redis_url=REDIS_TEST_URL,
    )
    yield settings
    await _drop_namespace(settings.redis_namespace)


@pytest.fixture
async def embedded_settings(tmp_path, sql_template):
    return make_settings(tmp_path, sql_template)


@pytest.fixture
async def app(app_settings):
    return create_app(app_settings)


@pytest.fixture
async def server(aiohttp_server, app):
    return await aiohttp_server(app)


@pytest.fixture
async def base_url(server) -> str:
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def socket_client() -> AsyncIterator[Callable[..., Awaitable[RecordingClient]]]:
    """Factory: ``await socket_client("/visitor", url, auth, headers)``; all closed after."""
    made: list[RecordingClient] = []

    async def connect(
        namespace: str, url: str, auth: dict[str, Any], headers: dict[str, str] | None = None
    ) -> RecordingClient:
        client = RecordingClient(namespace)
        made.append(client)
        return await client.connect(url, auth, headers)

    yield connect
    for client in made:
        await client.close()
