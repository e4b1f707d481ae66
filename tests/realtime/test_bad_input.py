"""Malformed events, unknown keys, forged tokens and oversized text: clear errors, no damage."""

from __future__ import annotations

import pytest

from tests.realtime.conftest import PAGE_A, SHOP_A
from tests.support.sockets import refusal


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("just a string", "invalid"),
        (None, "invalid"),
        ({"text": "no client id"}, "invalid"),
        ({"client_id": "bad id with spaces", "text": "x"}, "invalid"),
        ({"client_id": "c-1", "text": 42}, "invalid"),
        ({"client_id": "c-1", "text": "   "}, "invalid"),
        ({"client_id": "c-1", "text": "x" * 5001}, "too_long"),
        ({"client_id": "c-1", "text": "x", "attachments": [{"url": "javascript:1"}]}, "invalid"),
    ],
)
async def test_malformed_messages_get_a_clear_error_and_store_nothing(
    tenant_a, visitor_of, payload, code
):
    visitor = await visitor_of(tenant_a)

    ack = await visitor.call("send_message", payload)

    assert ack["ok"] is False
    assert ack["code"] == code
    assert ack["error"]
    history = await visitor.call("history", {})
    assert history == {"ok": True, "messages": [], "has_more": False}
    fine = await visitor.call("send_message", {"client_id": "c-ok", "text": "still works"})
    assert fine["ok"] is True


async def test_a_message_at_the_limit_is_accepted(tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    ack = await visitor.call("send_message", {"client_id": "c-max", "text": "é" * 5000})
    assert ack["ok"] is True and len(ack["message"]["text"]) == 5000


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("history", {"before": "not-an-id"}),
        ("history", {"limit": 10_000}),
        ("mark_read", {}),
        ("page_view", {"url": "javascript:alert(1)"}),
        ("identify", {"email": "not an email"}),
        ("identify", ["list"]),
    ],
)
async def test_other_malformed_visitor_events(tenant_a, visitor_of, event, payload):
    visitor = await visitor_of(tenant_a)
    ack = await visitor.call(event, payload)
    assert ack["ok"] is False and ack["code"] in ("invalid", "too_long")
    assert visitor.sio.connected


async def test_unknown_event_does_not_break_the_connection(tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    await visitor.sio.emit("no_such_event", {"x": 1}, namespace="/visitor")
    ack = await visitor.call("send_message", {"client_id": "c-1", "text": "fine"})
    assert ack["ok"] is True


async def _refusal(base_url: str, auth: object, origin: str = SHOP_A) -> str:
    return str(await refusal(base_url, "/visitor", auth, {"Origin": origin}))


async def test_unknown_site_key_is_refused(base_url, tenant_a):
    reason = await _refusal(base_url, {"site_key": "pk_nope", "page": PAGE_A})
    assert "unknown site key" in reason


async def test_visitor_from_an_origin_no_site_allows_is_refused_at_the_handshake(
    base_url, tenant_a, agent_a
):
    # No site lists this origin, so engine.io refuses before any namespace runs.
    reason = await _refusal(
        base_url, {"site_key": tenant_a.site.site_key, "page": PAGE_A}, origin=SHOP_A + ".evil.com"
    )
    assert reason == "['Connection error']"  # no namespace reason: the handshake failed
    assert await agent_a.nothing("visitor_arrival")


async def test_foreign_origin_of_another_site_is_refused_at_connect(base_url, tenant_a, tenant_b):
    # shop-b is allowed at the handshake (it is some site's origin) but not for site A.
    reason = await _refusal(
        base_url, {"site_key": tenant_a.site.site_key, "page": PAGE_A}, origin="http://shop-b.test"
    )
    assert "may not embed" in reason


async def test_malformed_auth_is_refused(base_url, tenant_a):
    reason = await _refusal(base_url, {"site_key": tenant_a.site.site_key, "page": "nope"})
    assert "page must be an object" in reason


async def test_forged_visitor_token_starts_a_new_visitor(tenant_a, visitor_of):
    real = await visitor_of(tenant_a)
    await real.call("send_message", {"client_id": "c-1", "text": "private"})
    token = real.session["visitor_token"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    stranger = await visitor_of(tenant_a, token=forged)

    assert stranger.session["visitor_id"] != real.session["visitor_id"]
    assert stranger.session["messages"] == []
