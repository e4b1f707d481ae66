"""HTTP: sign-in, the widget bundle and config, the REST API, health and the dashboard pages."""

from __future__ import annotations

import re

import pytest

from tests.support.apps import PASSWORD, seed_tenant

SHOP = "http://shop.test"


@pytest.fixture
async def client(aiohttp_client, app):
    return await aiohttp_client(app)


@pytest.fixture
async def tenant(app, client):
    return await seed_tenant(app, "Shop", [SHOP])


async def test_login_returns_a_token_that_opens_the_api(client, tenant):
    response = await client.post(
        "/api/v1/auth/login", json={"email": tenant.email.upper(), "password": PASSWORD}
    )
    assert response.status == 200
    body = await response.json()
    assert body["agent"]["email"] == tenant.email
    assert body["sites"] == [
        {"id": tenant.site.id, "name": "Shop", "site_key": tenant.site.site_key, "role": "owner"}
    ]
    assert "porchlight_session" in response.cookies
    assert response.cookies["porchlight_session"]["httponly"]

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert (await me.json())["agent"]["id"] == tenant.agent.id


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json at all", 400, "invalid"),
        (b"[1, 2]", 400, "invalid"),
        (b'{"email": "x@y.z"}', 400, "invalid"),
        (b'{"email": "nobody@shop.test", "password": "whatever1"}', 401, "unauthenticated"),
    ],
)
async def test_bad_logins_get_clear_errors(client, tenant, body, status, code):
    response = await client.post(
        "/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == status
    payload = await response.json()
    assert payload["ok"] is False and payload["code"] == code and payload["error"]


async def test_wrong_password_and_unknown_email_say_the_same(client, tenant):
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": tenant.email, "password": "not the password"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "ghost@shop.test", "password": "not the password"}
    )
    assert wrong.status == unknown.status == 401
    assert (await wrong.json())["error"] == (await unknown.json())["error"]


async def test_logins_are_rate_limited(client, tenant):
    statuses = []
    for _ in range(12):
        response = await client.post(
            "/api/v1/auth/login", json={"email": tenant.email, "password": "guessing123"}
        )
        statuses.append(response.status)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


async def test_api_refuses_forged_and_missing_tokens(client, tenant):
    assert (await client.get("/api/v1/me")).status == 401
    forged = await client.get("/api/v1/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status == 401
    assert (await forged.json())["code"] == "unauthenticated"


async def test_rest_api_lists_conversations_of_own_sites_only(client, app, tenant):
    other = await seed_tenant(app, "Other", ["http://other.test"])
    login = await client.post(
        "/api/v1/auth/login", json={"email": tenant.email, "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {(await login.json())['token']}"}

    own = await client.get(f"/api/v1/sites/{tenant.site.id}/conversations", headers=auth)
    assert own.status == 200 and (await own.json())["conversations"] == []
    foreign = await client.get(f"/api/v1/sites/{other.site.id}/conversations", headers=auth)
    assert foreign.status == 403
    missing = await client.get(
        "/api/v1/conversations/01JD0000000000000000000000/messages", headers=auth
    )
    assert missing.status == 404


async def test_widget_js_is_cached_by_etag(client):
    first = await client.get("/widget.js")
    assert first.status == 200
    assert first.headers["Content-Type"].startswith("application/javascript")
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = await client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status == 304


async def test_widget_chat_chunk_is_the_version_widget_js_asks_for(client):
    main = await client.get("/widget.js")
    version = re.search(r"/widget-chat\.js\?v=([0-9a-f]{12})", await main.text()).group(1)
    chunk = await client.get(f"/widget-chat.js?v={version}", headers={"Accept-Encoding": "gzip"})
    assert chunk.status == 200
    assert chunk.headers["Content-Encoding"] == "gzip"
    assert chunk.headers["Access-Control-Allow-Origin"] == "*"
    assert chunk.headers["Cache-Control"] == "public, max-age=31536000"
    assert "porchlight-chat" in await chunk.text()
    again = await client.get("/widget-chat.js", headers={"If-None-Match": chunk.headers["ETag"]})
    assert again.status == 304
    # An old or missing version is answered with today's file, but only briefly cached.
    stale = await client.get("/widget-chat.js?v=000000000000")
    assert stale.headers["Cache-Control"] == "public, max-age=300"


async def test_widget_config_answers_allowed_origins_only(client, tenant):
    url = f"/api/widget/config?site_key={tenant.site.site_key}"
    allowed = await client.get(url, headers={"Origin": SHOP})
    assert allowed.status == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == SHOP
    body = await allowed.json()
    assert body["widget"]["color"].startswith("#")
    assert body["agents_online"] is False

    foreign = await client.get(url, headers={"Origin": "http://evil.test"})
    assert foreign.status == 403
    assert "Access-Control-Allow-Origin" not in foreign.headers
    unknown = await client.get("/api/widget/config?site_key=pk_unknown", headers={"Origin": SHOP})
    assert unknown.status == 404


async def test_readyz_reports_every_store(client, app_settings):
    response = await client.get("/readyz")
    assert response.status == 200
    expected = {"sql": True, "messages": True}
    if app_settings.redis_url:
        expected["redis"] = True
    assert (await response.json())["checks"] == expected


async def test_dashboard_requires_sign_in_and_signs_in_with_the_form(client, tenant):
    first = await client.get("/dashboard", allow_redirects=False)
    assert first.status == 302 and first.headers["Location"] == "/dashboard/login"

    bad = await client.post(
        "/dashboard/login", data={"email": tenant.email, "password": "nope-nope", "next": ""}
    )
    assert bad.status == 401
    assert "wrong e-mail or password" in await bad.text()

    good = await client.post(
        "/dashboard/login",
        data={"email": tenant.email, "password": PASSWORD, "next": "https://evil.test/"},
        allow_redirects=False,
    )
    assert good.status == 302
    assert good.headers["Location"] == "/dashboard"  # never an open redirect
    page = await client.get("/dashboard")
    assert page.status == 200
    text = await page.text()
    assert tenant.site.site_key in text
    assert page.headers["X-Frame-Options"] == "DENY"


async def test_dashboard_escapes_names(client, app):
    tenant = await seed_tenant(app, "</script><b>x", ["http://x.test"])
    await client.post(
        "/dashboard/login", data={"email": tenant.email, "password": PASSWORD, "next": "/dashboard"}
    )
    text = await (await client.get("/dashboard")).text()
    assert "</script><b>x" not in text
