"""Two-factor sign-in: set up with an authenticator app, sign in with its code or a
recovery code (once each), and a site whose owner requires it for the team."""

from __future__ import annotations

import re

import aiohttp
import pyotp

from tests.console.conftest import browser_session, csrf_of
from tests.support.apps import PASSWORD


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
            "code": pyotp.TOTP(secret).now(),
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
    status, body = await json_sign_in(base_url, team.agent.email, code=pyotp.TOTP(secret).now())
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
                "code": pyotp.TOTP(secret).now(),
                "next": "/dashboard",
            },
            allow_redirects=False,
        ) as done:
            assert done.status == 302 and done.headers["Location"] == "/dashboard"
        assert [c for c in http.cookie_jar if c.key == "porchlight_session"]


async def test_a_site_that_requires_it_sends_its_team_to_set_it_up(team, api, base_url):
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
                "code": pyotp.TOTP(secret).now(),
            },
        ) as refused:
            assert refused.status == 400 and "requires two-factor" in await refused.text()

    status, _ = await json_sign_in(base_url, team.agent.email, code=pyotp.TOTP(secret).now())
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
