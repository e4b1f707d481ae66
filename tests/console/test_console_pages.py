"""The console as owners use it: the first owner's sign-up, forms that post back with a
CSRF token, creating and deleting sites, the installation check and the audit log."""

from __future__ import annotations

import aiohttp

from server.keys import console_key
from tests.console.conftest import PAGE_A, SHOP_A, browser_session, csrf_of
from tests.support.sockets import refusal


def jar_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_the_first_owner_signs_up_once(server, base_url):
    async with jar_session() as http:
        async with http.get(f"{base_url}/dashboard/login", allow_redirects=False) as r:
            assert r.status == 302 and r.headers["Location"] == "/signup"
        async with http.get(f"{base_url}/signup") as r:
            html = await r.text()
            assert r.status == 200
        form = {
            "name": "Olga Owner",
            "email": "olga@acme.test",
            "password": "a long password",
            "site_name": "Acme",
            "allowed_origins": "https://acme.test",
        }
        async with http.post(f"{base_url}/signup", data=form) as r:
            assert r.status == 400 and "reload the page" in await r.text()  # no CSRF token
        async with http.post(
            f"{base_url}/signup", data={**form, "csrf_token": csrf_of(html)}, allow_redirects=False
        ) as r:
            assert r.status == 303 and r.headers["Location"].endswith("/install")
            landing = r.headers["Location"]
        async with http.get(base_url + landing) as r:
            page = await r.text()
            assert r.status == 200 and "data-site=" in page and "Owner" in page
        async with http.get(f"{base_url}/api/v1/me") as r:
            me = await r.json()
            assert me["agent"]["email"] == "olga@acme.test"
            assert [(s["name"], s["role"]) for s in me["sites"]] == [("Acme", "owner")]

    async with jar_session() as stranger:
        async with stranger.get(f"{base_url}/signup") as r:
            assert r.status == 404 and "already has an owner" in await r.text()
        async with stranger.post(
            f"{base_url}/signup", data={**form, "email": "eve@evil.test"}
        ) as r:
            assert r.status == 403
        async with stranger.get(f"{base_url}/dashboard/login") as r:
            assert r.status == 200  # the normal sign-in page from now on


async def test_forms_save_with_the_token_and_refuse_without(team, base_url, api):
    http = await browser_session(base_url, team.admin.email)
    async with http:
        page = f"{base_url}/dashboard/settings/{team.site.id}/general"
        async with http.get(page) as r:
            token = csrf_of(await r.text())
        form = {
            "_action": "update_site",
            "_bools": "require_verified_identity",
            "name": "Shop A Outdoor",
            "allowed_origins": "http://shop-a.test\nhttps://*.shop-a.test",
        }
        async with http.post(page, data=form) as r:
            assert r.status == 403 and "reload the page" in await r.text()
        async with http.post(page, data={**form, "csrf_token": "forged"}) as r:
            assert r.status == 403
        async with http.post(page, data={**form, "csrf_token": token}, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"].endswith("?done=update_site")
        async with http.get(page + "?done=update_site") as r:
            html = await r.text()
            assert "Saved." in html and "Shop A Outdoor" in html and "https://*.shop-a.test" in html

        bad = {**form, "allowed_origins": "not an origin", "csrf_token": token}
        async with http.post(page, data=bad) as r:
            html = await r.text()
            assert r.status == 400 and "is not an origin" in html
            assert "not an origin</textarea>" in html  # what was typed is kept

        # The JSON API with the cookie needs the token in a header.
        widget = f"{base_url}/api/v1/sites/{team.site.id}/widget"
        async with http.patch(widget, json={"color": "#111111"}) as r:
            assert r.status == 403
        async with http.patch(
            widget, json={"color": "#111111"}, headers={"X-CSRF-Token": token}
        ) as r:
            assert r.status == 200
    _, site = await api.request("GET", f"/api/v1/sites/{team.site.id}", team.owner.token)
    assert (
        site["site"]["name"] == "Shop A Outdoor"
        and site["site"]["require_verified_identity"] is False
    )


async def test_pages_follow_the_role(team, base_url):
    for person, allowed in [
        (team.agent, {"replies"}),
        (team.admin, {"general", "widget", "install", "team", "blocking", "replies"}),
        (
            team.owner,
            {"general", "widget", "install", "team", "blocking", "keys", "audit", "replies"},
        ),
    ]:
        http = await browser_session(base_url, person.email)
        async with http:
            async with http.get(f"{base_url}/dashboard") as r:
                assert 'href="/dashboard/settings"' in await r.text()  # everyone: saved replies
            every = ("general", "widget", "install", "team", "blocking", "keys", "audit", "replies")
            for section in every:
                url = f"{base_url}/dashboard/settings/{team.site.id}/{section}"
                async with http.get(url) as r:
                    assert (r.status == 200) == (section in allowed), (person.email, section)


async def test_creating_and_deleting_a_site(app, team, base_url, socket_client):
    http = await browser_session(base_url, team.owner.email)
    async with http:
        async with http.get(f"{base_url}/dashboard/settings/new") as r:
            token = csrf_of(await r.text())
        async with http.post(
            f"{base_url}/dashboard/settings/new",
            data={"csrf_token": token, "name": "Shop C", "allowed_origins": "https://c.test"},
            allow_redirects=False,
        ) as r:
            assert r.status == 303
            general = base_url + r.headers["Location"].split("?")[0]
        async with http.get(f"{base_url}/api/v1/me") as r:
            sites = {s["name"]: s for s in (await r.json())["sites"]}
        assert sites["Shop C"]["role"] == "owner"

        # Deleting Shop A: the name must be typed.
        page = f"{base_url}/dashboard/settings/{team.site.id}/general"
        form = {"_action": "delete_site", "csrf_token": token, "confirm": "Shop"}
        async with http.post(page, data=form) as r:
            assert r.status == 400 and "Type the site" in await r.text()
        async with http.post(page, data={**form, "confirm": "Shop A"}, allow_redirects=False) as r:
            assert r.status == 303
    assert general

    # Gone for everyone: the widget, the team, the API.
    hello = {"site_key": team.site.site_key, "page": PAGE_A}
    assert await refusal(base_url, "/visitor", hello, {"Origin": SHOP_A})  # at the handshake
    async with (
        aiohttp.ClientSession() as plain,
        plain.get(f"{base_url}/api/widget/config?site_key={team.site.site_key}") as r,
    ):
        assert r.status == 404
    for person in (team.admin, team.agent):
        http = await browser_session(base_url, person.email)
        async with http:
            async with http.get(f"{base_url}/api/v1/me") as r:
                assert (await r.json())["sites"] == []
            url = f"{base_url}/api/v1/sites/{team.site.id}/conversations"
            async with http.get(url) as r:
                assert r.status == 403
    audit = await app[console_key].console.audit.page(team.site.id)
    assert audit[0].action == "site.deleted" and audit[0].agent_id == team.owner.agent.id


async def test_the_installation_check_names_the_last_origin(team, api, socket_client, base_url):
    path = f"/api/v1/sites/{team.site.id}/installation"
    _, before = await api.request("GET", path, team.admin.token)
    assert before["last_seen"] is None
    widget = await socket_client(
        "/visitor", base_url, {"site_key": team.site.site_key, "page": PAGE_A}, {"Origin": SHOP_A}
    )
    await widget.next("session")
    _, after = await api.request("GET", path, team.admin.token)
    assert after["last_seen"]["origin"] == SHOP_A and after["last_seen"]["at"].endswith("Z")


async def test_the_audit_log_says_who_did_what_from_where(team, api):
    site = f"/api/v1/sites/{team.site.id}"
    await api.request("PATCH", site, team.admin.token, {"name": "Renamed"})
    await api.request(
        "POST", f"{site}/blocks", team.admin.token, {"kind": "ip", "value": "192.0.2.4"}
    )
    _, made = await api.request("POST", f"{site}/keys/primary", team.owner.token)
    await api.request("GET", f"{site}/identity-secret", team.owner.token)
    _, page = await api.request("GET", f"{site}/audit?limit=3", team.owner.token)
    assert [e["action"] for e in page["entries"]] == [
        "identity_secret.revealed",
        "api_key.created",
        "block.added",
    ]
    assert page["has_more"] is True
    newest = page["entries"][0]
    assert newest["agent_email"] == team.owner.email and newest["ip"] == "127.0.0.1"
    assert page["entries"][1]["detail"]["slot"] == "primary"
    assert made["key"] not in str(page["entries"])  # the prefix only
    _, older = await api.request(
        "GET", f"{site}/audit?limit=3&before={page['entries'][-1]['id']}", team.owner.token
    )
    assert older["entries"][0]["action"] == "site.updated"
    assert older["entries"][0]["detail"] == {"name": "Renamed"}
    status, _ = await api.request("GET", f"{site}/audit", team.admin.token)
    assert status == 403
