"""Two-factor sign-in: set up with an authenticator app (a QR code or the link), sign in
with its code or a recovery code (once each: a code seen over a shoulder cannot be used
again), and a site whose owner requires it for the team, which signs out the members
who have not set it up."""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp
import pyotp
import segno

from tests.console.conftest import browser_session, csrf_of
from tests.support.apps import PASSWORD


def code_at(secret: str, steps: int) -> str:
    """The app's code ``steps`` time steps from now: each code works once, and the server
    accepts the steps either side of its own (clock drift), so a test signs in three times
    within one step with the codes of steps -1, 0 and +1."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def field(html: str, name: str) -> str:
    found = re.search(rf'(?:id|name)="{name}"[^>]*value="([^"]*)"', html)
    assert found, f"no {name} on the page"
    return found.group(1)


async def enrol(http: aiohttp.ClientSession, base_url: str) -> tuple[str, list[str]]:
    """Set it up through the page, as a person would; the secret and the recovery codes."""
    async with http.get(f"{base_url}/dashboard/two-factor") as page:
        assert page.status == 200
        html = await page.text()
    secret = field(html, "secret")
    assert field(html, "otpauth").startswith("otpauth://totp/Porchlight:")
    async with http.post(
        f"{base_url}/dashboard/two-factor",
        data={
            "csrf_token": csrf_of(html),
            "pending": field(html, "pending"),
            "code": code_at(secret, -1),
        },
    ) as done:
        assert done.status == 200, await done.text()
        codes = re.search(r'<pre class="mono" id="recovery-codes">([^<]*)</pre>', await done.text())
    assert codes
    return secret, codes.group(1).split()


async def json_sign_in(base_url: str, email: str, **extra: str) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD, **extra}
        ) as response,
    ):
        return response.status, await response.json()


async def test_sign_in_asks_for_the_code_once_it_is_on(team, base_url):
    http = await browser_session(base_url, team.agent.email)
    async with http:
        secret, recovery = await enrol(http, base_url)
    assert len(recovery) == 10

    status, body = await json_sign_in(base_url, team.agent.email)
    assert status == 401 and body["code"] == "two_factor_required"
    status, body = await json_sign_in(base_url, team.agent.email, code="000000")
    assert status == 401 and body["code"] == "unauthenticated"
    status, body = await json_sign_in(base_url, team.agent.email, code=code_at(secret, 0))
    assert status == 200 and body["token"]

    # A recovery code works once.
    assert (await json_sign_in(base_url, team.agent.email, code=recovery[0]))[0] == 200
    assert (await json_sign_in(base_url, team.agent.email, code=recovery[0]))[0] == 401


async def test_the_sign_in_form_takes_the_code_as_a_second_step(team, base_url):
    http = await browser_session(base_url, team.admin.email)
    async with http:
        secret, _ = await enrol(http, base_url)

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(
            f"{base_url}/dashboard/login",
            data={"email": team.admin.email, "password": PASSWORD, "next": "/dashboard"},
            allow_redirects=False,
        ) as step:
            html = await step.text()
            assert step.status == 200 and 'name="code"' in html and PASSWORD not in html
        assert not [c for c in http.cookie_jar if c.key == "porchlight_session"]
        async with http.post(
            f"{base_url}/dashboard/login",
            data={
                "halfway": field(html, "halfway"),
                "email": team.admin.email,
                "code": code_at(secret, 0),
                "next": "/dashboard",
            },
            allow_redirects=False,
        ) as done:
            assert done.status == 302 and done.headers["Location"] == "/dashboard"
        assert [c for c in http.cookie_jar if c.key == "porchlight_session"]


async def test_a_site_that_requires_it_sends_its_team_to_set_it_up(team, api, base_url):
    http = await browser_session(base_url, team.owner.email)
    async with http:
        await enrol(http, base_url)  # an owner requires only what they use themselves
    status, _ = await api.request(
        "PATCH", f"/api/v1/sites/{team.site.id}", team.owner.token, {"require_two_factor": True}
    )
    assert status == 200

    status, body = await json_sign_in(base_url, team.agent.email)
    assert status == 403 and body["code"] == "two_factor_enrolment_required"
    # The other site's owner is not affected.
    assert (await json_sign_in(base_url, team.other_owner.email))[0] == 200

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(
            f"{base_url}/dashboard/login",
            data={"email": team.agent.email, "password": PASSWORD, "next": "/dashboard"},
            allow_redirects=False,
        ) as response:
            assert response.status == 302
            assert response.headers["Location"] == "/dashboard/two-factor"
        async with http.get(f"{base_url}/dashboard") as blocked:
            assert blocked.url.path == "/dashboard/login"  # no session yet
        secret, _ = await enrol(http, base_url)
        async with http.get(f"{base_url}/api/v1/me") as me:
            assert me.status == 200  # set up: signed in
        async with http.get(f"{base_url}/dashboard/two-factor") as page:
            html = await page.text()
        async with http.post(
            f"{base_url}/dashboard/two-factor",
            data={
                "csrf_token": csrf_of(html),
                "_action": "turn_off",
                "code": code_at(secret, 0),
            },
        ) as refused:
            assert refused.status == 400 and "requires two-factor" in await refused.text()

    status, _ = await json_sign_in(base_url, team.agent.email, code=code_at(secret, 1))
    assert status == 200


async def test_only_an_owner_can_require_it(team, api):
    path = f"/api/v1/sites/{team.site.id}"
    status, body = await api.request("PATCH", path, team.admin.token, {"require_two_factor": True})
    assert status == 403 and body["code"] == "forbidden"
    # An admin may still save the other settings alongside the unchanged switch.
    status, _ = await api.request(
        "PATCH", path, team.admin.token, {"name": "Shop A!", "require_two_factor": False}
    )
    assert status == 200


async def test_a_code_works_once(team, base_url):
    http = await browser_session(base_url, team.agent.email)
    async with http:
        secret, _ = await enrol(http, base_url)
    code = code_at(secret, 0)

    first = await json_sign_in(base_url, team.agent.email, code=code)
    replayed = await json_sign_in(base_url, team.agent.email, code=code)
    older = await json_sign_in(base_url, team.agent.email, code=code_at(secret, -1))

    assert first[0] == 200
    assert replayed[0] == 401 and replayed[1]["code"] == "unauthenticated"
    assert older[0] == 401  # the enrolment's code, and any before the last one used
    assert (await json_sign_in(base_url, team.agent.email, code=code_at(secret, 1)))[0] == 200


async def test_the_set_up_page_shows_the_link_as_a_qr_code(team, base_url):
    http = await browser_session(base_url, team.agent.email)
    async with http, http.get(f"{base_url}/dashboard/two-factor") as page:
        html = await page.text()
        policy = page.headers["Content-Security-Policy"]

    drawn = re.search(r'<figure class="qr-figure" id="qr-code">(<svg.*?</svg>)', html, re.S)
    assert drawn, "no QR code on the page"
    link = field(html, "otpauth").replace("&amp;", "&")
    expected = segno.make(link, error="m").svg_inline(
        scale=4, border=2, dark="#111", light="#fff", svgclass="qr-code", title=""
    )
    # The code on the page carries the link shown beside it (same modules drawn).
    assert re.sub(r"<title>.*?</title>", "", drawn.group(1)) == expected.replace(
        "<title></title>", ""
    )
    assert "<script" not in drawn.group(1) and "'unsafe-inline'" not in policy.split("style")[0]


async def test_requiring_it_signs_out_the_members_who_have_not_set_it_up(
    team, api, base_url, socket_client
):
    path = f"/api/v1/sites/{team.site.id}"
    status, body = await api.request("PATCH", path, team.owner.token, {"require_two_factor": True})
    assert status == 400 and "your own account first" in body["error"]

    async with await browser_session(base_url, team.owner.email) as http:
        await enrol(http, base_url)
    async with await browser_session(base_url, team.admin.email) as http:
        await enrol(http, base_url)
    agent_socket = await socket_client("/agent", base_url, {"token": team.agent.token})
    await agent_socket.next("session")
    assert (await api.request("GET", "/api/v1/me", team.agent.token))[0] == 200

    status, _ = await api.request("PATCH", path, team.owner.token, {"require_two_factor": True})
    assert status == 200

    # The member without it: the token stops working and the open dashboard is closed.
    status, body = await api.request("GET", "/api/v1/me", team.agent.token)
    assert status == 401 and body["code"] == "unauthenticated"
    for _ in range(50):
        if not agent_socket.sio.connected:
            break
        await asyncio.sleep(0.1)
    assert not agent_socket.sio.connected
    status, body = await json_sign_in(base_url, team.agent.email)
    assert status == 403 and body["code"] == "two_factor_enrolment_required"
    # Those who have it keep their sessions, and so does the other site's team.
    assert (await api.request("GET", "/api/v1/me", team.owner.token))[0] == 200
    assert (await api.request("GET", "/api/v1/me", team.admin.token))[0] == 200
    assert (await api.request("GET", "/api/v1/me", team.other_owner.token))[0] == 200
