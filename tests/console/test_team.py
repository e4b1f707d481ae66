"""The team: invitations (signed, expiring, single use, e-mailed when SMTP is set up),
roles, the last owner, and removal that cuts an agent off at once."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import update

from server.app import create_app
from server.domain import utcnow
from server.keys import sql_engine_key
from server.storage.sql.engine import make_sessionmaker
from server.storage.sql.models import InviteRow
from tests.console.conftest import csrf_of
from tests.console.smtp_server import SmtpServer
from tests.support.fixtures import app_settings as both_shapes
from tests.support.sockets import refusal
from tests.support.waiting import until

app_settings = both_shapes  # removal must close sockets through Redis too


async def invite(api, team, email: str, role: str = "agent", token: str | None = None) -> dict:
    status, body = await api.request(
        "POST",
        f"/api/v1/sites/{team.site.id}/invites",
        token or team.admin.token,
        {"email": email, "role": role},
    )
    assert status == 200, body
    return body


async def accept(base_url: str, link: str, **form: str) -> tuple[int, str, aiohttp.ClientSession]:
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.get(link) as page:
        html = await page.text()
        if page.status != 200:
            return page.status, html, http
    async with http.post(
        link, data={"csrf_token": csrf_of(html), **form}, allow_redirects=False
    ) as response:
        return response.status, await response.text(), http


async def test_an_invite_link_works_once(team, api, base_url):
    made = await invite(api, team, "Nia@Shop-A.test")
    assert made["invite"]["email"] == "nia@shop-a.test" and made["emailed"] is False
    link = made["link"]
    assert link.startswith(base_url + "/invite/")

    status, _, http = await accept(base_url, link, name="Nia", password="long enough 1")
    async with http:
        assert status == 303
        async with http.get(f"{base_url}/api/v1/me") as me:  # signed in by the accept page
            body = await me.json()
        assert body["agent"]["email"] == "nia@shop-a.test"
        assert [(s["id"], s["role"]) for s in body["sites"]] == [(team.site.id, "agent")]

    status, html, http = await accept(base_url, link, name="Mallory", password="long enough 2")
    await http.close()
    assert status == 409 and "already been used" in html
    _, listing = await api.request("GET", f"/api/v1/sites/{team.site.id}/team", team.owner.token)
    assert [m["email"] for m in listing["members"]].count("nia@shop-a.test") == 1
    assert listing["invites"] == []


async def test_an_expired_or_withdrawn_invite_is_refused(app, team, api, base_url):
    expired = await invite(api, team, "late@shop-a.test")
    sessions = make_sessionmaker(app[sql_engine_key])
    async with sessions.begin() as session:
        await session.execute(
            update(InviteRow)
            .where(InviteRow.id == expired["invite"]["id"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    status, html, http = await accept(base_url, expired["link"], name="L", password="12345678")
    await http.close()
    assert status == 409 and "expired" in html

    withdrawn = await invite(api, team, "gone@shop-a.test")
    status, _ = await api.request(
        "DELETE",
        f"/api/v1/sites/{team.site.id}/invites/{withdrawn['invite']['id']}",
        team.admin.token,
    )
    assert status == 200
    status, html, http = await accept(base_url, withdrawn["link"], name="G", password="12345678")
    await http.close()
    assert status == 404 and "withdrawn" in html

    forged = withdrawn["link"][:-6] + "abcdef"
    status, html, http = await accept(base_url, forged, name="F", password="12345678")
    await http.close()
    assert status == 404 and "not valid" in html


async def test_an_existing_account_joins_with_its_own_password(team, api, base_url):
    made = await invite(api, team, team.other_owner.email, "admin")
    status, html, http = await accept(base_url, made["link"], password="wrong password")
    await http.close()
    assert status == 400 and "Wrong e-mail or password" in html
    status, _, http = await accept(base_url, made["link"], password="correct horse battery")
    async with http, http.get(f"{base_url}/api/v1/me") as me:
        sites = {s["id"]: s["role"] for s in (await me.json())["sites"]}
    assert status == 303
    assert sites == {team.other_site.id: "owner", team.site.id: "admin"}


async def test_admins_manage_agents_but_only_owners_touch_owners(team, api):
    path = f"/api/v1/sites/{team.site.id}"
    status, body = await api.request(
        "POST", f"{path}/invites", team.admin.token, {"email": "boss@x.test", "role": "owner"}
    )
    assert status == 403 and body["code"] == "forbidden"
    status, _ = await api.request(
        "PATCH", f"{path}/team/{team.agent.agent.id}", team.admin.token, {"role": "owner"}
    )
    assert status == 403
    status, _ = await api.request("DELETE", f"{path}/team/{team.owner.agent.id}", team.admin.token)
    assert status == 403
    status, body = await api.request(
        "PATCH", f"{path}/team/{team.agent.agent.id}", team.admin.token, {"role": "admin"}
    )
    assert status == 200 and body["role"] == "admin"


async def test_the_last_owner_stays(team, api):
    path = f"/api/v1/sites/{team.site.id}/team/{team.owner.agent.id}"
    status, body = await api.request("PATCH", path, team.owner.token, {"role": "admin"})
    assert status == 409 and "at least one owner" in body["error"]
    status, body = await api.request("DELETE", path, team.owner.token)
    assert status == 409
    # With a second owner, the first may step down.
    await api.request(
        "PATCH",
        f"/api/v1/sites/{team.site.id}/team/{team.admin.agent.id}",
        team.owner.token,
        {"role": "owner"},
    )
    status, body = await api.request("PATCH", path, team.owner.token, {"role": "admin"})
    assert status == 200


async def test_a_removed_agent_is_cut_off_at_once(team, api, socket_client, base_url):
    dashboard = await socket_client("/agent", base_url, {"token": team.agent.token})
    await dashboard.next("session")
    closed = []
    dashboard.sio.on("disconnect", lambda *reason: closed.append(reason), namespace="/agent")
    bystander = await socket_client("/agent", base_url, {"token": team.admin.token})
    await bystander.next("session")

    status, _ = await api.request(
        "DELETE", f"/api/v1/sites/{team.site.id}/team/{team.agent.agent.id}", team.owner.token
    )
    assert status == 200
    await until(lambda: closed)
    assert len(closed) == 1 and not dashboard.sio.connected
    assert bystander.sio.connected

    status, body = await api.request("GET", "/api/v1/me", team.agent.token)
    assert status == 401 and body["code"] == "unauthenticated"
    reasons = await refusal(base_url, "/agent", {"token": team.agent.token})
    assert reasons == [
        {"message": "this session has ended; sign in again", "data": {"code": "unauthenticated"}}
    ]
    # The others keep working.
    assert (await api.request("GET", "/api/v1/me", team.admin.token))[0] == 200


@pytest.fixture
async def smtp():
    server = await SmtpServer().start()
    yield server
    await server.stop()


async def test_invites_are_emailed_when_smtp_is_configured(aiohttp_server, app_settings, smtp):
    from tests.console.conftest import Api, add_person

    settings = app_settings.with_(
        smtp_url=f"smtp://127.0.0.1:{smtp.port}", mail_from="Porchlight <team@porch.test>"
    )
    app = create_app(settings)
    server = await aiohttp_server(app)
    from server.domain import Role
    from server.keys import sites_key

    site = await app[sites_key].create_site("Shop A", ["http://shop-a.test"])
    owner = await add_person(app, site, Role.OWNER, "owner")
    api = Api(str(server.make_url("")).rstrip("/"))
    status, body = await api.request(
        "POST", f"/api/v1/sites/{site.id}/invites", owner.token, {"email": "ana@x.test"}
    )
    assert status == 200 and body["emailed"] is True
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail.recipients == ["ana@x.test"] and mail.sender == "team@porch.test"
    assert "Subject: Join Shop A on Porchlight" in mail.data
    assert body["link"] in re.sub(r"=\r?\n", "", mail.data)


async def test_a_new_password_ends_every_other_session(team, api, socket_client, base_url):
    other_tab = await socket_client("/agent", base_url, {"token": team.agent.token})
    await other_tab.next("session")
    closed = []
    other_tab.sio.on("disconnect", lambda *reason: closed.append(reason), namespace="/agent")
    status, body = await api.request(
        "POST",
        "/api/v1/me/password",
        team.agent.token,
        {"current_password": "wrong one", "new_password": "a brand new one"},
    )
    assert status == 401
    status, body = await api.request(
        "POST",
        "/api/v1/me/password",
        team.agent.token,
        {"current_password": "correct horse battery", "new_password": "a brand new one"},
    )
    assert status == 200
    await until(lambda: closed)
    assert (await api.request("GET", "/api/v1/me", team.agent.token))[0] == 401
    assert (await api.request("GET", "/api/v1/me", body["token"]))[0] == 200


async def test_inviting_again_replaces_the_pending_link(team, api, base_url):
    first = await invite(api, team, "twice@shop-a.test")
    second = await invite(api, team, "twice@shop-a.test")
    _, listing = await api.request("GET", f"/api/v1/sites/{team.site.id}/team", team.admin.token)
    assert [i["id"] for i in listing["invites"]] == [second["invite"]["id"]]
    status, html, http = await accept(base_url, first["link"], name="T", password="12345678")
    await http.close()
    assert status == 404 and "withdrawn" in html
