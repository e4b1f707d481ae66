"""Server-side API keys: shown once, stored hashed, two slots so a rotation never fails a
request, revocation immediate, scoped to one site and to chatting."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from server.keys import sql_engine_key
from server.storage.sql.engine import make_sessionmaker
from server.storage.sql.models import ApiKeyRow


def keys_of(team) -> str:
    return f"/api/v1/sites/{team.site.id}/keys"


async def test_rotation_without_a_failed_request(app, team, api):
    keys = f"/api/v1/sites/{team.site.id}/keys"
    conversations = f"/api/v1/sites/{team.site.id}/conversations"
    statuses: list[int] = []

    async def traffic(key: str, times: int = 3) -> None:
        for _ in range(times):
            status, _ = await api.request("GET", conversations, key)
            statuses.append(status)

    _, first = await api.request("POST", f"{keys}/primary", team.owner.token)
    old = first["key"]
    assert old.startswith("pl_key_") and first["api_key"]["prefix"] == old[:11]
    await traffic(old)
    _, second = await api.request("POST", f"{keys}/secondary", team.owner.token)
    new = second["key"]
    await traffic(old)  # servers not yet deployed keep the old key
    await traffic(new)  # deployed ones use the new one
    status, _ = await api.request("DELETE", f"{keys}/primary", team.owner.token)
    assert status == 200
    await traffic(new)
    assert statuses == [200] * 12

    status, body = await api.request("GET", conversations, old)
    assert status == 401 and body["code"] == "unauthenticated"
    _, listing = await api.request("GET", keys, team.owner.token)
    assert [k["slot"] for k in listing["keys"]] == ["secondary"]
    assert listing["keys"][0]["last_used_at"] is not None
    assert "key" not in listing["keys"][0]  # never shown again


async def test_keys_are_stored_as_hashes_only(app, team, api):
    _, made = await api.request(
        "POST", f"/api/v1/sites/{team.site.id}/keys/primary", team.owner.token
    )
    sessions = make_sessionmaker(app[sql_engine_key])
    async with sessions() as session:
        row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.site_id == team.site.id))
    assert row.key_hash == hashlib.sha256(made["key"].encode()).hexdigest()
    assert made["key"] not in (row.key_hash, row.prefix)


async def test_a_slot_holds_one_key_until_it_is_revoked(team, api):
    path = f"/api/v1/sites/{team.site.id}/keys/primary"
    assert (await api.request("POST", path, team.owner.token))[0] == 200
    status, body = await api.request("POST", path, team.owner.token)
    assert status == 409 and "revoke it first" in body["error"]
    status, body = await api.request(
        "POST", f"/api/v1/sites/{team.site.id}/keys/tertiary", team.owner.token
    )
    assert status == 400 and body["code"] == "invalid"


async def test_a_key_reaches_its_own_site_and_manages_nothing(team, api):
    _, made = await api.request(
        "POST", f"/api/v1/sites/{team.site.id}/keys/primary", team.owner.token
    )
    key = made["key"]
    assert (await api.request("GET", f"/api/v1/sites/{team.site.id}/conversations", key))[0] == 200
    status, _ = await api.request("GET", f"/api/v1/sites/{team.other_site.id}/conversations", key)
    assert status == 403
    for method, path in [
        ("GET", f"/api/v1/sites/{team.site.id}"),
        ("GET", f"/api/v1/sites/{team.site.id}/keys"),
        ("PATCH", f"/api/v1/sites/{team.site.id}/widget"),
    ]:
        status, body = await api.request(method, path, key, {} if method != "GET" else None)
        assert status == 403 and body["code"] == "forbidden", path
    status, body = await api.request("GET", "/api/v1/me", "pl_key_made-up")
    assert status == 401
