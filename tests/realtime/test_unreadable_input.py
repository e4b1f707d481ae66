"""What no client library sends, written by hand on a WebSocket: payloads nested too deeply,
lone UTF-16 surrogates, ids past 2^63, auth that is not an object, and a message store
whose file another process has locked. Each gets a clear answer; none goes unanswered or
turns into a server fault."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.realtime.conftest import PAGE_A, SHOP_A, login_token
from tests.support.raw_socket import RawSocket


@pytest.fixture
async def raw(base_url):
    opened: list[RawSocket] = []

    async def open_socket(origin: str | None = SHOP_A) -> RawSocket:
        socket = await RawSocket.open(base_url, {"Origin": origin} if origin else {})
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        await socket.close()


def auth_of(tenant) -> str:
    return json.dumps({"site_key": tenant.site.site_key, "page": PAGE_A})


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


async def test_a_payload_nested_too_deeply_is_invalid_and_the_socket_stays(tenant_a, raw):
    socket = await raw()
    assert (await socket.connect("/visitor", auth_of(tenant_a)))[0] == "connected"

    deep = f'{{"client_id": "c-1", "text": "hi", "extra": {nested(5000)}}}'
    ack = await socket.call("/visitor", "send_message", deep)

    assert ack == {"ok": False, "code": "invalid", "error": "the payload is nested too deeply"}
    fine = await socket.call("/visitor", "send_message", '{"client_id": "c-2", "text": "hi"}')
    assert fine["ok"] is True


async def test_a_lone_surrogate_is_replaced_and_the_message_kept(tenant_a, raw, agent_a):
    socket = await raw()
    assert (await socket.connect("/visitor", auth_of(tenant_a)))[0] == "connected"

    ack = await socket.call(
        "/visitor", "send_message", '{"client_id": "c-1", "text": "half \\ud83d an emoji"}'
    )

    assert ack["ok"] is True
    assert ack["message"]["text"] == "half \ufffd an emoji"
    history = await socket.call("/visitor", "history", "{}")
    assert [m["text"] for m in history["messages"]] == ["half \ufffd an emoji"]
    preview = await socket.call("/visitor", "typing_preview", '{"text": "\\udc00x", "seq": 1}')
    assert preview["ok"] is True


@pytest.mark.parametrize(
    "auth",
    [nested(3000), '{"site_key": "pk_\\ud800"', '{"site_key": "\\ud800", "page": 1}', "[1, 2]"],
)
async def test_unreadable_or_non_object_auth_is_refused_with_a_reason(tenant_a, raw, auth):
    socket = await raw()

    outcome, data = await socket.connect("/visitor", auth)

    assert outcome == "refused", data
    assert data["data"]["code"] in ("invalid", "not_found") and data["message"]


@pytest.mark.parametrize("auth", ['"a token as a bare string"', "[1]", nested(3000), "42.5"])
async def test_the_agent_namespace_refuses_auth_that_is_not_an_object(tenant_a, raw, auth):
    socket = await raw(origin=None)

    outcome, data = await socket.connect("/agent", auth)

    assert outcome == "refused", data
    assert data["data"]["code"] in ("invalid", "unauthenticated") and data["message"]


async def test_ids_past_two_to_the_63_are_invalid(base_url, tenant_a, raw):
    token = await login_token(base_url, tenant_a.email)
    socket = await raw(origin=None)
    assert (await socket.connect("/agent", json.dumps({"token": token})))[0] == "connected"

    for event, payload in [
        ("list_conversations", '{"site_id": 99999999999999999999999}'),
        ("list_visitors", '{"site_id": 9223372036854775808}'),
        ("start_conversation", '{"site_id": 18446744073709551616, "visitor_id": "x"}'),
    ]:
        ack = await socket.call("/agent", event, payload)
        assert ack["ok"] is False and ack["code"] == "invalid", (event, ack)


async def test_a_locked_message_store_answers_busy_with_a_time_to_retry(
    embedded_settings, aiohttp_server
):
    from server.app import create_app
    from tests.support.apps import seed_tenant

    app = create_app(embedded_settings)
    server = await aiohttp_server(app)
    tenant = await seed_tenant(app, "Shop A", [SHOP_A])
    base_url = str(server.make_url("")).rstrip("/")
    # Another process (a second node on the same file, a backup) holds the write lock.
    holder = sqlite3.connect(embedded_settings.messages_db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        socket = await RawSocket.open(base_url, {"Origin": SHOP_A})
        outcome, data = await socket.connect("/visitor", auth_of(tenant), wait=15)
        await socket.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert outcome == "refused"
    assert data["data"]["code"] == "busy" and data["data"]["retry_after"] > 0
    socket = await RawSocket.open(base_url, {"Origin": SHOP_A})
    assert (await socket.connect("/visitor", auth_of(tenant)))[0] == "connected"
    await socket.close()
