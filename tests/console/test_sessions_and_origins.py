"""The dashboard's session: its cookie opens /agent only from the dashboard's own pages,
sign-out ends it on the server, sign-in cannot be forced by another site, every cookie
write needs the CSRF token, and invitation links never take their host from the request."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.console.conftest import SHOP_A, SHOP_B, browser_session, csrf_of
from tests.support.apps import PASSWORD
from tests.support.sockets import refusal


def session_cookie(http: aiohttp.ClientSession) -> str:
    return next(c.value for c in http.cookie_jar if c.key == "porchlight_session")


async def test_the_cookie_from_another_tenants_widget_origin_is_refused(
    team, base_url, socket_client
):
    http = await browser_session(base_url, team.owner.email)
    async with http:
        cookie = f"porchlight_session={session_cookie(http)}"

    # shop-b.test is an allowed widget origin (site B's), so the handshake lets it in; the
    # cookie of site A's owner must still not open /agent from there.
    for page in (SHOP_B, SHOP_A, "null"):
        reason = await refusal(base_url, "/agent", {}, {"Origin": page, "Cookie": cookie})
        assert "only on the dashboard" in str(reason) or reason == ["Connection error"], page

    own = await socket_client("/agent", base_url, {}, {"Origin": base_url, "Cookie": cookie})
    assert (await own.next("session"))["agent"]["id"] == team.owner.agent.id
    # A token is not ambient: a client that holds one may connect from anywhere.
    api_client = await socket_client(
        "/agent", base_url, {"token": team.owner.token}, {"Origin": SHOP_B}
    )
    assert (await api_client.next("session"))["agent"]["id"] == team.owner.agent.id


async def test_a_cross_site_fetch_without_origin_is_refused_too(team, base_url):
    http = await browser_session(base_url, team.owner.email)
    async with http:
        cookie = f"porchlight_session={session_cookie(http)}"
    reason = await refusal(
        base_url, "/agent", {}, {"Sec-Fetch-Site": "same-site", "Cookie": cookie}
    )
    assert "only on the dashboard" in str(reason)


async def test_sign_out_ends_the_token_on_the_server(team, base_url, socket_client):
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base_url}/api/v1/auth/login",
            json={"email": team.agent.email, "password": PASSWORD},
        ) as response:
            token = (await response.json())["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        live = await socket_client("/agent", base_url, {"token": token})
        await live.next("session")
        closed = asyncio.Event()
        live.sio.on("disconnect", lambda *_: closed.set(), namespace="/agent")

        async with http.post(f"{base_url}/api/v1/auth/logout", headers=bearer) as response:
            assert response.status == 200
        async with http.get(f"{base_url}/api/v1/me", headers=bearer) as response:
            assert response.status == 401
        await asyncio.wait_for(closed.wait(), 5)  # the open dashboard closes too
    assert "session has ended" in str(await refusal(base_url, "/agent", {"token": token}))


async def test_the_dashboard_sign_out_ends_the_cookie(team, base_url):
    http = await browser_session(base_url, team.admin.email)
    async with http:
        old = session_cookie(http)
        async with http.post(
            f"{base_url}/dashboard/logout", headers={"Origin": base_url}, allow_redirects=False
        ) as response:
            assert response.status == 302
    async with (
        aiohttp.ClientSession() as again,
        again.get(f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {old}"}) as me,
    ):
        assert me.status == 401


async def test_another_site_cannot_sign_a_browser_in(team, base_url):
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(
            f"{base_url}/api/v1/auth/login",
            data=f'{{"email": "{team.agent.email}", "password": "{PASSWORD}"}}',
            headers={"Origin": SHOP_A, "Content-Type": "text/plain"},
        ) as response:
            assert response.status == 403
        async with http.post(
            f"{base_url}/dashboard/login",
            data={"email": team.agent.email, "password": PASSWORD, "next": "/dashboard"},
            headers={"Origin": "http://evil.test"},
            allow_redirects=False,
        ) as response:
            assert response.status == 403
        assert not [c for c in http.cookie_jar if c.key == "porchlight_session"]

        async with http.post(
            f"{base_url}/dashboard/login",
            data={"email": team.agent.email, "password": PASSWORD, "next": "/dashboard"},
            headers={"Origin": base_url},
            allow_redirects=False,
        ) as response:
            assert response.status == 302


async def test_saving_alert_settings_needs_the_csrf_token(team, base_url):
    http = await browser_session(base_url, team.agent.email)
    async with http:
        body = {"notifications": False}
        async with http.put(f"{base_url}/api/v1/me/settings", json=body) as response:
            assert response.status == 403
        async with http.get(f"{base_url}/dashboard") as page:
            token = csrf_of(await page.text())
        async with http.put(
            f"{base_url}/api/v1/me/settings", json=body, headers={"X-CSRF-Token": token}
        ) as response:
            assert response.status == 200
            assert (await response.json())["settings"]["notifications"] is False


async def invite_link(base_url: str, team, host: str) -> str:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base_url}/api/v1/sites/{team.site.id}/invites",
            json={"email": "new@shop-a.test"},
            headers={"Authorization": f"Bearer {team.owner.token}", "Host": host},
        ) as response,
    ):
        assert response.status == 200, await response.text()
        return (await response.json())["link"]


@pytest.fixture
def app_settings(app_settings):
    return app_settings.with_(public_url="https://chat.example.com")


async def test_invite_links_use_the_public_url_whatever_the_host(team, base_url):
    link = await invite_link(base_url, team, "evil.example")
    assert link.startswith("https://chat.example.com/invite/")
