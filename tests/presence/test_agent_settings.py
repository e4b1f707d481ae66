"""Each agent's sound and notification settings, stored on the server."""

from __future__ import annotations

import aiohttp

from tests.realtime.conftest import login_token

DEFAULTS = {
    "sounds": {"arrival": "beep", "message": "beep", "volume": 0.7},
    "notifications": True,
    "email": "all",
}


async def call(base_url: str, method: str, token: str | None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, f"{base_url}/api/v1/me/settings", headers=headers, **kwargs) as r,
    ):
        return r.status, await r.json()


async def test_settings_start_at_the_defaults_and_keep_what_is_saved(base_url, tenant_a):
    token = await login_token(base_url, tenant_a.email)
    assert await call(base_url, "GET", token) == (200, {"ok": True, "settings": DEFAULTS})

    status, body = await call(
        base_url, "PUT", token, json={"sounds": {"arrival": "continuous", "volume": 0.25}}
    )

    expected = {
        "sounds": {"arrival": "continuous", "message": "beep", "volume": 0.25},
        "notifications": True,
        "email": "all",
    }
    assert (status, body) == (200, {"ok": True, "settings": expected})
    assert (await call(base_url, "GET", token))[1]["settings"] == expected

    await call(
        base_url,
        "PUT",
        token,
        json={"notifications": False, "sounds": {"message": "off"}, "email": "assigned"},
    )
    saved = (await call(base_url, "GET", token))[1]["settings"]
    assert saved == {
        "sounds": {"arrival": "continuous", "message": "off", "volume": 0.25},
        "notifications": False,
        "email": "assigned",
    }


async def test_settings_belong_to_one_agent(app, base_url, tenant_a):
    from server.domain import Role
    from server.keys import auth_key
    from tests.support.apps import PASSWORD

    other = await app[auth_key].create_agent("other@shop-a.test", PASSWORD, name="Other")
    await app[auth_key].add_to_site(other.id, tenant_a.site.id, Role.AGENT)
    mine = await login_token(base_url, tenant_a.email)
    theirs = await login_token(base_url, "other@shop-a.test")

    await call(base_url, "PUT", mine, json={"sounds": {"arrival": "off"}})

    assert (await call(base_url, "GET", theirs))[1]["settings"] == DEFAULTS


async def test_bad_settings_are_refused_and_change_nothing(base_url, tenant_a):
    token = await login_token(base_url, tenant_a.email)
    bad = [
        {"sounds": {"arrival": "loud"}},
        {"sounds": {"volume": 1.5}},
        {"sounds": {"volume": True}},
        {"sounds": "beep"},
        {"notifications": "yes"},
        {"email": "sometimes"},
        {"theme": "dark"},
        {"sounds": {"arrival": "off", "ring": "beep"}},
    ]
    for payload in bad:
        status, body = await call(base_url, "PUT", token, json=payload)
        assert status == 400 and body["ok"] is False and body["code"] == "invalid", payload
        assert body["error"]

    status, body = await call(base_url, "PUT", token, data=b"not json")
    assert (status, body["code"]) == (400, "invalid")
    assert (await call(base_url, "GET", token))[1]["settings"] == DEFAULTS


async def test_settings_need_a_signed_in_agent(base_url, tenant_a):
    assert (await call(base_url, "GET", None))[0] == 401
    assert (await call(base_url, "PUT", None, json={"notifications": False}))[0] == 401
