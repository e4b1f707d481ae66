"""Past the messages a node handles at once, the next visitor message is told to come back:
answered ``busy`` with a time to retry, stored nothing, and taken when sent again. The ones
already admitted are answered once they are stored."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from server.app import create_app
from server.keys import sio_key
from tests.realtime.conftest import PAGE_A, SHOP_A
from tests.support.apps import seed_tenant


@pytest.fixture
async def stage(embedded_settings, aiohttp_server):
    settings = embedded_settings.with_(messages_in_progress=2)
    app = create_app(settings)
    server = await aiohttp_server(app)
    tenant = await seed_tenant(app, "Shop A", [SHOP_A])
    return app, settings, tenant, str(server.make_url("")).rstrip("/")


async def _until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_a_message_past_the_bound_is_told_busy_and_taken_when_sent_again(
    stage, socket_client
):
    app, settings, tenant, base_url = stage
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A, "device": {"language": "en"}}
    first = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
    second = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
    await first.next("session")
    await second.next("session")
    sio = app[sio_key]

    # Another process holds the message store's write lock: admitted messages wait for it.
    holder = sqlite3.connect(settings.messages_db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiting = [
            asyncio.ensure_future(first.call("send_message", {"client_id": "a1", "text": "one"})),
            asyncio.ensure_future(second.call("send_message", {"client_id": "b1", "text": "two"})),
        ]
        await _until(lambda: sio.in_progress == 2)
        refused = await second.call("send_message", {"client_id": "b2", "text": "three"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert refused["ok"] is False and refused["code"] == "busy", refused
    assert refused["retry_after"] > 0
    answered = await asyncio.gather(*waiting)
    assert [a["ok"] for a in answered] == [True, True], answered
    await _until(lambda: sio.in_progress == 0)

    again = await second.call("send_message", {"client_id": "b2", "text": "three"})
    assert again["ok"] is True, again
    history = await second.call("history", {})
    assert [m["text"] for m in history["messages"]] == ["two", "three"]
