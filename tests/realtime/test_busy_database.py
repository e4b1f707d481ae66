"""A relational database that is busy answers "busy, try again" with a time to retry: a
connection pool with no free connection under concurrent connects, and a SQLite file whose
write lock another process holds. Never an unexplained connection error, never a 500."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import aiohttp
import pytest

from server.app import create_app
from server.keys import sql_engine_key
from tests.realtime.conftest import SHOP_A, login_token
from tests.support.apps import PASSWORD, seed_tenant
from tests.support.sockets import refusal


@pytest.fixture
async def stage(embedded_settings, aiohttp_server):
    settings = embedded_settings.with_(database_pool_size=1, database_pool_timeout_seconds=0.5)
    app = create_app(settings)
    server = await aiohttp_server(app)
    tenant = await seed_tenant(app, "Shop A", [SHOP_A])
    return app, settings, tenant, str(server.make_url("")).rstrip("/")


async def _login(base_url: str, email: str) -> tuple[int, dict, str | None]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ) as response,
    ):
        return response.status, await response.json(), response.headers.get("Retry-After")


async def test_concurrent_connects_past_the_pool_are_told_to_retry(stage):
    app, _settings, tenant, base_url = stage
    token = await login_token(base_url, tenant.email)
    engine = app[sql_engine_key]
    # Every connection of the pool (one, and two more at a peak) is in use elsewhere.
    held = [await engine.connect() for _ in range(3)]
    try:
        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(refusal(base_url, "/agent", {"token": token}) for _ in range(5))
        )
        status, body, retry_after = await _login(base_url, tenant.email)
        took = time.monotonic() - started
    finally:
        for connection in held:
            await connection.close()

    for reasons in outcomes:
        assert reasons and isinstance(reasons[0], dict), reasons
        assert reasons[0]["data"]["code"] == "busy", reasons
        assert reasons[0]["data"]["retry_after"] > 0
    assert (status, body["code"], retry_after) == (503, "busy", "1"), body
    assert took < 5, took
    assert (await _login(base_url, tenant.email))[0] == 200  # and back once it is free


async def test_a_locked_database_file_answers_busy_not_a_server_fault(stage):
    _app, settings, tenant, base_url = stage
    holder = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        status, body, retry_after = await _login(base_url, tenant.email)  # writes the audit row
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert (status, body["code"]) == (503, "busy"), body
    assert retry_after == "1"
    assert (await _login(base_url, tenant.email))[0] == 200
