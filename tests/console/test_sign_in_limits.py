"""Sign-in and invitation limits count the real client behind a trusted proxy: one address
guessing passwords is stopped without locking out everyone else behind the same proxy."""

from __future__ import annotations

import ipaddress

import aiohttp
import pytest

from tests.console.conftest import csrf_of
from tests.support.apps import PASSWORD, make_settings


@pytest.fixture
async def app_settings(tmp_path, sql_template):
    return make_settings(
        tmp_path, sql_template, trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),)
    )


async def sign_in(base_url: str, email: str, password: str, address: str) -> aiohttp.ClientResponse:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base_url}/api/v1/auth/login",
            json={"email": email, "password": password},
            headers={"X-Forwarded-For": address},
        ) as response,
    ):
        await response.read()
        return response


async def test_one_address_guessing_does_not_lock_out_the_others(team, base_url):
    guesses = [
        (await sign_in(base_url, f"nobody{n}@x.test", "guess-guess", "203.0.113.5")).status
        for n in range(22)
    ]
    assert guesses[:20] == [401] * 20 and guesses[20:] == [429, 429]

    # Everyone else reaches the server through the same proxy, from their own address.
    fine = await sign_in(base_url, team.agent.email, PASSWORD, "198.51.100.8")
    assert fine.status == 200


async def test_wrong_passwords_for_one_account_stop_at_any_address(team, base_url):
    statuses = [
        (await sign_in(base_url, team.agent.email, "wrong-wrong", f"192.0.2.{n}")).status
        for n in range(1, 13)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]

    refused = await sign_in(base_url, team.agent.email, PASSWORD, "198.51.100.9")
    assert refused.status == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    # Another account is not affected.
    assert (await sign_in(base_url, team.admin.email, PASSWORD, "198.51.100.9")).status == 200


async def test_the_invite_page_is_limited_per_real_address(team, api, base_url):
    status, made = await api.request(
        "POST", f"/api/v1/sites/{team.site.id}/invites", team.admin.token, {"email": "n@x.test"}
    )
    assert status == 200
    link = made["link"]

    async def attempt(address: str) -> int:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http:
            async with http.get(link) as page:
                token = csrf_of(await page.text())
            async with http.post(
                link,
                data={"csrf_token": token, "name": "N", "password": "short"},
                headers={"X-Forwarded-For": address},
                allow_redirects=False,
            ) as response:
                body = await response.text()
                return 429 if "too many attempts" in body.lower() else response.status

    tries = [await attempt("203.0.113.7") for _ in range(12)]
    assert tries[:10] == [400] * 10 and tries[10:] == [429, 429]
    assert await attempt("198.51.100.7") == 400  # a different person: their own error
