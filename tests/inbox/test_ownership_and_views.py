"""Assignment, tags, inbox views and counts; another site's agent sees and changes nothing."""

from __future__ import annotations

import aiohttp

from server.domain import Role
from server.keys import auth_key, console_key
from server.services.console.service import Actor
from tests.inbox.conftest import SHOP_B
from tests.inbox.test_lifecycle import start_chat


async def test_assignment_reaches_every_dashboard_and_the_note_never_the_visitor(
    tenant_a, agent_of, teammate_of, visitor_of
) -> None:
    sam, sam_email = await teammate_of(tenant_a, "Sam")
    dana = await agent_of(tenant_a.email)
    sams_dashboard = await agent_of(sam_email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)

    moved = await dana.call(
        "assign",
        {
            "conversation_id": first["conversation_id"],
            "assignee_id": sam.id,
            "note": "Knows the tent warranty",
        },
    )

    assert moved["ok"] and moved["conversation"]["assignee_id"] == sam.id
    event = await sams_dashboard.next("conversation_event")
    assert event["name"] == "conversation.assigned"
    assert event["assignee"] == {"id": sam.id, "name": "Sam"}
    assert event["note"] == "Knows the tent warranty"
    assert event["actor"]["name"] == "Shop A agent"
    row = await sams_dashboard.next("conversation_updated")
    while row["id"] != first["conversation_id"] or row["assignee_id"] != sam.id:
        row = await sams_dashboard.next("conversation_updated")
    assert await visitor.nothing("conversation_status")
    assert await visitor.nothing("message")
    history = await visitor.call("history", {})
    assert "warranty" not in str(history)
    # The transfer note stays in the thread as a private note, for the team only.
    team_view = await sams_dashboard.call("history", {"conversation_id": first["conversation_id"]})
    (note,) = [m for m in team_view["messages"] if m["kind"] == "note"]
    assert note["text"] == "→ Sam: Knows the tent warranty"

    mine = await sams_dashboard.call("inbox", {"view": "mine"})
    assert [c["id"] for c in mine["conversations"]] == [first["conversation_id"]]
    assert mine["counts"]["mine"] == 1 and mine["counts"]["unassigned"] == 0

    unassigned = await dana.call(
        "assign", {"conversation_id": first["conversation_id"], "assignee_id": None}
    )
    assert unassigned["conversation"]["assignee_id"] is None
    counts = (await sams_dashboard.call("inbox_counts", {}))["counts"]
    assert counts == {
        "missed": 0,
        "mine": 0,
        "unassigned": 1,
        "open": 1,
        "snoozed": 0,
        "resolved": 0,
    }


async def test_only_a_teammate_can_be_assigned(tenant_a, tenant_b, agent_of, visitor_of) -> None:
    dana = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)

    answer = await dana.call(
        "assign", {"conversation_id": first["conversation_id"], "assignee_id": tenant_b.agent.id}
    )

    assert answer["code"] == "invalid" and "team" in answer["error"]


async def test_tags_come_from_the_sites_list_and_filter_the_inbox(
    tenant_a, agent_of, visitor_of, define_tag
) -> None:
    await define_tag(tenant_a, "Billing", "#DC2626")
    dana = await agent_of(tenant_a.email)
    tagged_visitor, plain_visitor = await visitor_of(tenant_a), await visitor_of(tenant_a)
    tagged = await start_chat(tagged_visitor)
    await start_chat(plain_visitor, "just browsing")

    unknown = await dana.call(
        "tag", {"conversation_id": tagged["conversation_id"], "add": ["refunds"]}
    )
    added = await dana.call(
        "tag", {"conversation_id": tagged["conversation_id"], "add": ["billing"]}
    )

    assert unknown["code"] == "invalid" and "not a tag of this site" in unknown["error"]
    assert added["conversation"]["tags"] == ["billing"]
    desk = await dana.call("desk", {})
    assert desk["sites"][0]["tags"] == [{"id": 1, "name": "billing", "color": "#dc2626"}]
    view = await dana.call("inbox", {"view": "open", "tag": "billing"})
    assert [c["id"] for c in view["conversations"]] == [tagged["conversation_id"]]
    assert view["counts"]["open"] == 1
    assert await tagged_visitor.nothing("conversation_status")

    removed = await dana.call(
        "tag", {"conversation_id": tagged["conversation_id"], "remove": ["billing"]}
    )
    assert removed["conversation"]["tags"] == []


async def test_views_sort_by_waiting_time(tenant_a, agent_of, visitor_of) -> None:
    dana = await agent_of(tenant_a.email)
    long_chat = await start_chat(await visitor_of(tenant_a))
    short_chat = await start_chat(await visitor_of(tenant_a))
    answered_chat = await start_chat(await visitor_of(tenant_a))
    await dana.call(
        "send_message",
        {"conversation_id": answered_chat["conversation_id"], "client_id": "a-1", "text": "hi"},
    )

    by_wait = await dana.call("inbox", {"view": "open", "sort": "waiting"})
    by_activity = await dana.call("inbox", {"view": "open"})

    ids = [long_chat["conversation_id"], short_chat["conversation_id"]]
    assert [c["id"] for c in by_wait["conversations"]] == [*ids, answered_chat["conversation_id"]]
    assert by_wait["conversations"][0]["waiting_since"]
    assert by_wait["conversations"][2]["waiting_since"] is None
    assert by_activity["conversations"][0]["id"] == answered_chat["conversation_id"]


async def test_an_agent_of_another_site_sees_and_changes_nothing(
    tenant_a, tenant_b, agent_of, visitor_of, base_url
) -> None:
    intruder = await agent_of(tenant_b.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    target = {"conversation_id": first["conversation_id"]}

    for event, payload in [
        ("resolve", target),
        ("reopen", target),
        ("snooze", target),
        ("assign", {**target, "assignee_id": tenant_b.agent.id}),
        ("tag", {**target, "add": ["x"]}),
    ]:
        answer = await intruder.call(event, payload)
        assert answer["code"] == "not_found", (event, answer)
    assert (await intruder.call("inbox", {}))["conversations"] == []
    assert (await intruder.call("inbox_counts", {}))["counts"]["open"] == 0
    assert (await intruder.call("inbox", {"site_id": tenant_a.site.id}))["code"] == "forbidden"
    assert await intruder.nothing("conversation_event")
    assert await visitor.nothing("conversation_status")

    token = await _login(base_url, tenant_b.email)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        url = f"{base_url}/api/v1/conversations/{first['conversation_id']}/resolve"
        async with http.post(url) as response:
            assert response.status == 404
        async with http.get(f"{base_url}/api/v1/inbox?site_id={tenant_a.site.id}") as response:
            assert response.status == 403


async def test_rest_resolves_for_agents_and_api_keys(app, tenant_a, visitor_of, base_url) -> None:
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    token = await _login(base_url, tenant_a.email)
    ctx = await app[auth_key].authenticate(token)
    created = await app[console_key].console.run(
        "create_key", Actor(ctx), tenant_a.site.id, {"slot": "primary"}
    )
    url = f"{base_url}/api/v1/conversations/{first['conversation_id']}/resolve"

    async with aiohttp.ClientSession() as http:
        async with http.post(url, headers={"Authorization": f"Bearer {created['key']}"}) as r:
            assert r.status == 200
            assert (await r.json())["conversation"]["status"] == "resolved"
        async with http.post(url, headers={"Authorization": f"Bearer {token}"}) as r:
            assert r.status == 200  # resolved already: nothing changes
            assert (await r.json())["conversation"]["status"] == "resolved"
        inbox = f"{base_url}/api/v1/inbox?view=resolved"
        async with http.get(inbox, headers={"Authorization": f"Bearer {created['key']}"}) as r:
            body = await r.json()
            assert [c["id"] for c in body["conversations"]] == [first["conversation_id"]]
        async with http.get(
            f"{base_url}/api/v1/inbox?view=all", headers={"Authorization": f"Bearer {token}"}
        ) as r:
            assert r.status == 400 and "view must be one of" in (await r.json())["error"]


async def test_only_admins_manage_tags_and_assignment(
    app, tenant_a, teammate_of, define_tag
) -> None:
    _sam, sam_email = await teammate_of(tenant_a, "Sam", Role.AGENT)
    sam = await app[auth_key].authenticate(
        await app[auth_key].login(sam_email, "correct horse battery")
    )
    console = app[console_key].console

    for name, data in [
        ("add_tag", {"name": "vip", "color": "#000000"}),
        ("set_assignment", {"mode": "round_robin", "cap": 3}),
    ]:
        try:
            await console.run(name, Actor(sam), tenant_a.site.id, data)
        except Exception as error:
            assert getattr(error, "code", None) == "forbidden"
        else:
            raise AssertionError(f"an agent ran {name}")


async def _login(base_url: str, email: str) -> str:
    from tests.realtime.conftest import login_token

    return await login_token(base_url, email)


__all__ = ["SHOP_B"]
