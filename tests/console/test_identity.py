"""Identity verification: a visitor's identity is trusted only when the site's backend
signed its user id (HMAC-SHA256 with the site's secret), and a site may refuse chats from
everyone else."""

from __future__ import annotations

import hashlib
import hmac

from server.keys import sites_key
from tests.console.conftest import PAGE_A, SHOP_A
from tests.support.fixtures import app_settings as both_shapes

app_settings = both_shapes


def sign(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


async def widget(team, socket_client, base_url):
    client = await socket_client(
        "/visitor",
        base_url,
        {"site_key": team.site.site_key, "page": PAGE_A, "device": {}},
        {"Origin": SHOP_A},
    )
    client.session = await client.next("session")
    return client


async def dashboard(team, socket_client, base_url):
    client = await socket_client("/agent", base_url, {"token": team.agent.token})
    await client.next("session")
    return client


async def test_a_signed_identity_is_verified_and_agents_see_it(app, team, socket_client, base_url):
    agent = await dashboard(team, socket_client, base_url)
    visitor = await widget(team, socket_client, base_url)
    await agent.next("visitor_arrival")
    secret = (await app[sites_key].get(team.site.id)).identity_secret

    ack = await visitor.call(
        "identify",
        {"user_id": "42", "name": "Ana", "email": "ana@x.test", "user_hash": sign(secret, "42")},
    )
    assert ack == {"ok": True, "verified": True}
    seen = await agent.next("visitor_updated")
    assert seen["verified"] is True and seen["name"] == "Ana"

    # A numeric user id is signed as its decimal text.
    ack = await visitor.call("identify", {"user_id": 42, "user_hash": sign(secret, "42")})
    assert ack["verified"] is True
    await agent.next("visitor_updated")

    # Unsigned words from the page (a pre-chat form, say) do not replace a vouched identity.
    ack = await visitor.call("identify", {"name": "Mallory", "email": "m@evil.test"})
    assert ack == {"ok": True, "verified": True}
    assert await agent.nothing("visitor_updated")


async def test_a_wrong_hash_is_refused_and_changes_nothing(app, team, socket_client, base_url):
    agent = await dashboard(team, socket_client, base_url)
    visitor = await widget(team, socket_client, base_url)
    await agent.next("visitor_arrival")
    other_secret = (await app[sites_key].get(team.other_site.id)).identity_secret

    for claim in [
        {"user_id": "42", "name": "Admin", "user_hash": sign(other_secret, "42")},
        {"user_id": "43", "name": "Admin", "user_hash": sign(other_secret, "42")},
        {"user_id": "42", "name": "Admin", "user_hash": "0" * 64},
    ]:
        ack = await visitor.call("identify", claim)
        assert ack["ok"] is False and ack["code"] == "forbidden"
    assert await agent.nothing("visitor_updated")

    # Without a hash the name is taken as the visitor's word: shown, never verified.
    ack = await visitor.call("identify", {"name": "Claims To Be Ana"})
    assert ack == {"ok": True, "verified": False}
    assert (await agent.next("visitor_updated"))["verified"] is False

    bad = await visitor.call("identify", {"user_id": "42", "user_hash": "not-hex"})
    assert bad["code"] == "invalid"


async def test_require_verified_identity_really_refuses_unverified_chats(
    app, team, api, socket_client, base_url
):
    status, _ = await api.request(
        "PATCH",
        f"/api/v1/sites/{team.site.id}",
        team.admin.token,
        {"require_verified_identity": True},
    )
    assert status == 200
    agent = await dashboard(team, socket_client, base_url)
    visitor = await widget(team, socket_client, base_url)
    assert visitor.session["verification_required"] is True

    refused = await visitor.call("send_message", {"client_id": "c-1", "text": "hello?"})
    assert refused["ok"] is False and refused["code"] == "forbidden" and "sign" in refused["error"]
    await visitor.call("identify", {"name": "Unsigned"})
    again = await visitor.call("send_message", {"client_id": "c-2", "text": "hello?"})
    assert again["code"] == "forbidden"
    assert await agent.nothing("message")
    assert (await agent.call("list_conversations", {}))["conversations"] == []

    secret = (await app[sites_key].get(team.site.id)).identity_secret
    await visitor.call("identify", {"user_id": "7", "user_hash": sign(secret, "7")})
    sent = await visitor.call("send_message", {"client_id": "c-3", "text": "signed in now"})
    assert sent["ok"] is True
    assert (await agent.next("message"))["text"] == "signed in now"

    # Reconnecting, the verified visitor is not asked again.
    again = await socket_client(
        "/visitor",
        base_url,
        {
            "site_key": team.site.site_key,
            "visitor_token": visitor.session["visitor_token"],
            "page": PAGE_A,
        },
        {"Origin": SHOP_A},
    )
    assert (await again.next("session"))["verification_required"] is False


async def test_rotating_the_secret_stops_old_hashes(app, team, api, socket_client, base_url):
    old = (await app[sites_key].get(team.site.id)).identity_secret
    status, body = await api.request(
        "POST", f"/api/v1/sites/{team.site.id}/identity-secret", team.owner.token
    )
    assert status == 200 and body["secret"] != old
    visitor = await widget(team, socket_client, base_url)
    ack = await visitor.call("identify", {"user_id": "1", "user_hash": sign(old, "1")})
    assert ack["code"] == "forbidden"
    ack = await visitor.call("identify", {"user_id": "1", "user_hash": sign(body["secret"], "1")})
    assert ack["verified"] is True
