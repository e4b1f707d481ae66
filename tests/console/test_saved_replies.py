"""Saved replies: who sees and manages which, over the API, the socket and the console page."""

from __future__ import annotations

import pytest

from server.keys import console_key
from tests.console.conftest import Team, browser_session, csrf_of

REPLIES = "/api/v1/sites/{site}/replies"


def path(team: Team, reply_id: int | None = None) -> str:
    base = REPLIES.format(site=team.site.id)
    return base if reply_id is None else f"{base}/{reply_id}"


async def create(api, team: Team, who: str, **body) -> tuple[int, dict]:
    return await api.request("POST", path(team), team.by_role(who).token, body)


async def shortcuts(api, team: Team, who: str) -> set[str]:
    status, body = await api.request("GET", path(team), team.by_role(who).token)
    assert status == 200, body
    return {f"{r['scope']}:{r['shortcut']}" for r in body["replies"]}


async def test_agents_keep_their_own_and_admins_manage_the_shared_ones(api, team):
    status, body = await create(api, team, "agent", shortcut="mine", text="Agent's own")
    assert status == 200 and body["reply"]["scope"] == "personal"
    assert body["reply"]["owner_id"] == team.agent.agent.id

    status, body = await create(api, team, "agent", shortcut="team", text="x", scope="shared")
    assert (status, body["code"]) == (403, "forbidden")

    status, body = await create(
        api,
        team,
        "admin",
        shortcut="refund",
        title="Refunds",
        text="Within 30 days",
        scope="shared",
    )
    assert status == 200 and body["reply"]["scope"] == "shared"
    await create(api, team, "admin", shortcut="admin-own", text="Admin's own")

    # Each sees the shared ones and their own, never a teammate's personal reply.
    assert await shortcuts(api, team, "agent") == {"personal:mine", "shared:refund"}
    assert await shortcuts(api, team, "admin") == {"personal:admin-own", "shared:refund"}
    assert await shortcuts(api, team, "owner") == {"shared:refund"}


async def test_only_admins_change_shared_replies_and_nobody_touches_a_teammates(api, team):
    _, shared = await create(api, team, "admin", shortcut="hours", text="9-5", scope="shared")
    _, personal = await create(api, team, "agent", shortcut="sig", text="Cheers, Ana")
    shared_id, personal_id = shared["reply"]["id"], personal["reply"]["id"]

    status, body = await api.request(
        "PATCH", path(team, shared_id), team.agent.token, {"text": "24/7"}
    )
    assert (status, body["code"]) == (403, "forbidden")
    status, body = await api.request("DELETE", path(team, shared_id), team.agent.token)
    assert (status, body["code"]) == (403, "forbidden")

    for who in ("admin", "owner"):  # a teammate's personal reply does not exist for them
        status, body = await api.request(
            "PATCH", path(team, personal_id), team.by_role(who).token, {"text": "hijacked"}
        )
        assert (status, body["code"]) == (404, "not_found")
        status, body = await api.request("DELETE", path(team, personal_id), team.by_role(who).token)
        assert (status, body["code"]) == (404, "not_found")

    status, body = await api.request(
        "PATCH", path(team, shared_id), team.owner.token, {"text": "9 to 5, Monday to Friday"}
    )
    assert status == 200 and body["reply"]["text"] == "9 to 5, Monday to Friday"
    status, body = await api.request(
        "PATCH", path(team, personal_id), team.agent.token, {"shortcut": "/Signature"}
    )
    assert status == 200 and body["reply"]["shortcut"] == "signature"
    status, body = await api.request("DELETE", path(team, personal_id), team.agent.token)
    assert status == 200 and body["deleted"] == personal_id
    assert await shortcuts(api, team, "agent") == {"shared:hours"}


async def test_a_shortcut_names_one_reply_per_scope(api, team):
    assert (await create(api, team, "admin", shortcut="hi", text="Hello", scope="shared"))[0] == 200
    status, body = await create(api, team, "owner", shortcut="/HI", text="Hey", scope="shared")
    assert status == 409 and "/hi is already taken" in body["error"]
    # A personal /hi beside the shared one, and another agent's own /hi, are fine.
    assert (await create(api, team, "agent", shortcut="hi", text="Hey"))[0] == 200
    assert (await create(api, team, "admin", shortcut="hi", text="Howdy"))[0] == 200
    status, body = await create(api, team, "agent", shortcut="hi", text="Again")
    assert status == 409


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"shortcut": "", "text": "x"}, "shortcut", "1 to 32 letters"),
        ({"shortcut": "two words", "text": "x"}, "shortcut", "1 to 32 letters"),
        ({"shortcut": "x" * 33, "text": "x"}, "shortcut", "1 to 32 letters"),
        ({"shortcut": "ok", "text": "   "}, "text", "Enter the reply"),
        ({"shortcut": "ok", "text": "x" * 5001}, "text", "at most 5,000"),
        ({"shortcut": "ok", "text": "x", "title": "t" * 121}, "title", "at most 120"),
        ({"shortcut": "ok", "text": "x", "scope": "everyone"}, "scope", "Who can use it"),
    ],
)
async def test_bad_input_says_which_field(api, team, body, field, says):
    status, answer = await api.request("POST", path(team), team.admin.token, body)
    assert (status, answer["code"]) == (400, "invalid")
    assert says in answer["fields"][field]


async def test_every_wrong_field_is_named_at_once(api, team):
    body = {"shortcut": "two words", "title": "t" * 121, "text": ""}
    status, answer = await api.request("POST", path(team), team.admin.token, body)
    assert status == 400 and list(answer["fields"]) == ["shortcut", "title", "text"]


async def test_shared_changes_are_audited_and_personal_ones_are_not(app, api, team):
    await create(api, team, "admin", shortcut="shared-one", text="x", scope="shared")
    await create(api, team, "admin", shortcut="private-one", text="x")
    entries = await app[console_key].console.audit.page(team.site.id, before=None, limit=50)
    replies = [e for e in entries if e.action.startswith("saved_reply.")]
    assert [(e.action, e.detail) for e in replies] == [
        ("saved_reply.created", {"shortcut": "shared-one"})
    ]


async def test_every_change_moves_the_sites_version(app, api, team):
    replies = app[console_key].replies
    before = await replies.version(team.site.id)
    _, body = await create(api, team, "agent", shortcut="v", text="one")
    after_create = await replies.version(team.site.id)
    await api.request("PATCH", path(team, body["reply"]["id"]), team.agent.token, {"text": "two"})
    after_update = await replies.version(team.site.id)
    assert len({before, after_create, after_update}) == 3
    # Nothing changed: the version stays.
    await api.request("PATCH", path(team, body["reply"]["id"]), team.agent.token, {"text": "two"})
    assert await replies.version(team.site.id) == after_update


async def test_over_the_socket(team, socket_client, base_url):
    socket = await socket_client("/agent", base_url, {"token": team.agent.token})
    await socket.next("session")
    made = await socket.call(
        "create_reply", {"site_id": team.site.id, "shortcut": "ship", "text": "2-3 days"}
    )
    assert made["ok"] and made["reply"]["scope"] == "personal"
    listed = await socket.call("list_replies", {"site_id": team.site.id})
    assert [r["shortcut"] for r in listed["replies"]] == ["ship"]
    assert listed["can_manage_shared"] is False
    other = await socket.call("list_replies", {"site_id": team.other_site.id})
    assert (other["ok"], other["code"]) == (False, "forbidden")


async def test_an_agent_manages_their_replies_on_the_console_page(team, base_url):
    page = f"{base_url}/dashboard/settings/{team.site.id}/replies"
    http = await browser_session(base_url, team.agent.email)
    async with http:
        async with http.get(f"{base_url}/dashboard/settings", allow_redirects=False) as r:
            assert r.headers["Location"].endswith(f"/{team.site.id}/replies")
        async with http.get(page) as r:
            html = await r.text()
            assert r.status == 200 and "You have no personal replies yet." in html
            assert 'value="shared"' not in html  # an agent cannot choose the team
            token = csrf_of(html)
        form = {"_action": "create_reply", "csrf_token": token, "scope": "personal"}
        async with http.post(page, data=form | {"shortcut": "bad one", "text": "x"}) as r:
            html = await r.text()
            assert r.status == 400 and "Use 1 to 32 letters" in html
            assert 'class="field-error" id="new-shortcut-error"' in html  # beside its field
            assert 'value="bad one"' in html  # what was typed stays
        async with http.post(
            page, data=form | {"shortcut": "hello", "text": "Hi {{visitor.name}}!"}
        ) as r:
            html = await r.text()
            assert r.status == 200 and "Saved reply added" in html
            assert "/hello" in html and "Hi {{visitor.name}}!" in html
        # A shared reply posted by hand is refused.
        async with http.post(
            page, data=form | {"scope": "shared", "shortcut": "x", "text": "x"}
        ) as r:
            assert r.status == 403
