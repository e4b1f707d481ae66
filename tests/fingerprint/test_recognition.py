"""A visitor whose token is gone is recognised by the browser fingerprint, on its own site
only, and a malformed fingerprint never costs the visitor the chat."""

from __future__ import annotations

import json

import sqlalchemy as sa

from server.keys import message_store_key, sql_engine_key, visitors_key
from tests.realtime.conftest import PAGE_A, SHOP_A, SHOP_B
from tests.support.apps import Tenant

HASH = "c0ffee00c0ffee00c0ffee00c0ffee00"
COMPONENTS = {"canvas": "ab12", "cores": 8, "languages": ["en-GB"], "webgl_renderer": "ANGLE"}
PAGE_B = {"url": "http://shop-b.test/", "title": "B", "referrer": ""}


async def device_in_profile(app, tenant: Tenant, visitor_id: str) -> dict:
    """The device as an agent's profile of the visitor shows it (the list shows less)."""
    return (await app[visitors_key].profile(tenant.site.id, visitor_id))["visitor"]["device"]


async def browser(base_url, socket_client, tenant: Tenant, *, token=None, fingerprint=None):
    """A widget connecting the way the real one does."""
    origin, page = (SHOP_A, PAGE_A) if tenant.site.name == "Shop A" else (SHOP_B, PAGE_B)
    auth = {"site_key": tenant.site.site_key, "page": page, "device": {"language": "en"}}
    if token:
        auth["visitor_token"] = token
    if fingerprint is not None:
        auth["fingerprint"] = fingerprint
    client = await socket_client("/visitor", base_url, auth, {"Origin": origin})
    client.session = await client.next("session")
    return client


async def test_a_visitor_who_cleared_storage_is_recognised_by_fingerprint(
    app, base_url, socket_client, tenant_a, agent_a
):
    fingerprint = {"hash": HASH, "components": COMPONENTS}
    first = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)
    arrival = await agent_a.next("visitor_arrival")
    assert arrival["visits"] == 1
    await first.close()
    await agent_a.next("visitor_left")

    # Storage cleared: no token, the same browser.
    again = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)

    assert again.session["visitor_id"] == first.session["visitor_id"]
    back = await agent_a.next("visitor_arrival")
    assert back["id"] == first.session["visitor_id"]
    assert back["visits"] == 2
    assert back["first_seen"] == arrival["first_seen"]
    device = await device_in_profile(app, tenant_a, back["id"])
    assert device["gpu"] == "ANGLE" and device["cores"] == 8


async def test_a_different_browser_is_a_different_visitor(
    base_url, socket_client, tenant_a, agent_a
):
    first = await browser(
        base_url, socket_client, tenant_a, fingerprint={"hash": HASH, "components": COMPONENTS}
    )
    other = await browser(
        base_url, socket_client, tenant_a, fingerprint={"hash": "ab" * 16, "components": {}}
    )

    assert other.session["visitor_id"] != first.session["visitor_id"]


async def test_the_same_browser_on_two_sites_is_two_unrelated_visitors(
    app, base_url, socket_client, tenant_a, tenant_b
):
    fingerprint = {"hash": HASH, "components": COMPONENTS}
    on_a = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)
    on_b = await browser(base_url, socket_client, tenant_b, fingerprint=fingerprint)
    await on_a.close()
    again_on_b = await browser(base_url, socket_client, tenant_b, fingerprint=fingerprint)

    assert on_a.session["visitor_id"] != on_b.session["visitor_id"]
    assert again_on_b.session["visitor_id"] == on_b.session["visitor_id"]
    store = app[message_store_key]
    a = await store.get_visitor(tenant_a.site.id, on_a.session["visitor_id"])
    b = await store.get_visitor(tenant_b.site.id, on_b.session["visitor_id"])
    assert a.fingerprint and b.fingerprint and a.fingerprint != b.fingerprint
    assert HASH not in (a.fingerprint, b.fingerprint)  # never stored as the browser sent it


async def test_a_browser_recognised_by_fingerprint_reads_no_earlier_messages(
    base_url, socket_client, tenant_a, agent_a
):
    fingerprint = {"hash": HASH, "components": COMPONENTS}
    owner = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)
    await owner.call("send_message", {"client_id": "c-private", "text": "my order number is 42"})
    await owner.close()

    # A phone of the same model can share a fingerprint: it must not read the chat so far.
    lookalike = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)

    assert lookalike.session["visitor_id"] == owner.session["visitor_id"]
    assert lookalike.session["messages"] == []
    assert (await lookalike.call("history", {}))["messages"] == []
    sent = await lookalike.call("send_message", {"client_id": "c-new", "text": "hello again"})
    history = await lookalike.call("history", {})
    assert [m["text"] for m in history["messages"]] == ["hello again"]
    # The boundary travels in the new token: a reconnect still shows nothing older.
    token = lookalike.session["visitor_token"]
    await lookalike.close()
    later = await browser(base_url, socket_client, tenant_a, token=token)
    assert [m["id"] for m in later.session["messages"]] == [sent["message"]["id"]]


async def set_widget(app, tenant: Tenant, **settings) -> None:
    async with app[sql_engine_key].begin() as conn:
        await conn.execute(
            sa.text("UPDATE sites SET widget_settings = :w WHERE id = :id"),
            {"w": json.dumps(settings), "id": tenant.site.id},
        )


async def test_when_consent_is_required_a_fingerprint_without_it_is_ignored(
    app, base_url, socket_client, tenant_a
):
    await set_widget(app, tenant_a, fingerprint_requires_consent=True)
    no_consent = {"hash": HASH, "components": COMPONENTS}
    with_consent = {**no_consent, "consent": True}

    first = await browser(base_url, socket_client, tenant_a, fingerprint=no_consent)
    second = await browser(base_url, socket_client, tenant_a, fingerprint=no_consent)
    assert first.session["visitor_id"] != second.session["visitor_id"]

    third = await browser(base_url, socket_client, tenant_a, fingerprint=with_consent)
    fourth = await browser(base_url, socket_client, tenant_a, fingerprint=with_consent)
    assert fourth.session["visitor_id"] == third.session["visitor_id"]


async def test_consent_given_after_connect_stores_the_fingerprint(
    app, base_url, socket_client, tenant_a, agent_a
):
    await set_widget(app, tenant_a, fingerprint_requires_consent=True)
    first = await browser(base_url, socket_client, tenant_a)
    await agent_a.next("visitor_arrival")

    refused = await first.call("fingerprint", {"hash": HASH, "components": COMPONENTS})
    ack = await first.call("fingerprint", {"hash": HASH, "components": COMPONENTS, "consent": True})

    assert refused["ok"] is False and refused["code"] == "invalid"
    assert ack == {"ok": True}
    updated = await agent_a.next("visitor_updated")
    assert (await device_in_profile(app, tenant_a, updated["id"]))["cores"] == 8
    await first.close()
    again = await browser(
        base_url,
        socket_client,
        tenant_a,
        fingerprint={"hash": HASH, "components": COMPONENTS, "consent": True},
    )
    assert again.session["visitor_id"] == first.session["visitor_id"]


async def test_withdrawn_consent_forgets_the_fingerprint(base_url, socket_client, tenant_a):
    fingerprint = {"hash": HASH, "components": COMPONENTS}
    first = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)

    assert await first.call("fingerprint", None) == {"ok": True}
    await first.close()
    again = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)

    assert again.session["visitor_id"] != first.session["visitor_id"]


BAD_FINGERPRINTS = [
    {"hash": "a1" * 16, "components": {f"k{n}": "x" * 50 for n in range(3000)}},  # huge
    {"hash": "b2" * 16, "components": {"cores": "eight", "languages": [1], "canvas": {"a": 1}}},
    {"hash": ["not", "a", "hash"], "components": "nope"},
    {"components": {"cores": None, "touch": "many"}},  # no hash, no good component
    "a string",
    12,
]


async def test_bad_fingerprints_keep_the_visitor_connected_and_chatting(
    app, base_url, socket_client, tenant_a, agent_a
):
    for n, fingerprint in enumerate(BAD_FINGERPRINTS):
        visitor = await browser(base_url, socket_client, tenant_a, fingerprint=fingerprint)
        arrival = await agent_a.next("visitor_arrival")

        assert visitor.sio.connected
        assert arrival["id"] == visitor.session["visitor_id"]
        assert "cores" not in await device_in_profile(app, tenant_a, arrival["id"])
        ack = await visitor.call("send_message", {"client_id": f"c-{n}", "text": "still here"})
        assert ack["ok"] is True


async def test_bad_components_alone_are_dropped(app, base_url, socket_client, tenant_a, agent_a):
    mixed = {"hash": HASH, "components": {**COMPONENTS, "cores": "eight", "touch": -4}}
    await browser(base_url, socket_client, tenant_a, fingerprint=mixed)

    arrival = await agent_a.next("visitor_arrival")
    device = await device_in_profile(app, tenant_a, arrival["id"])

    assert device["gpu"] == "ANGLE" and device["languages"] == ["en-GB"]
    assert "cores" not in device and "touch_points" not in device
