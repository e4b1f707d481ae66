"""The owner's Inbox settings (tags, automatic assignment), round robin under a cap, and an
agent who moves to Settings staying online for visitors."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from server.app import create_app
from server.keys import auth_key, console_key
from server.services.console.service import Actor
from tests.console.conftest import browser_session, csrf_of
from tests.inbox.test_lifecycle import start_chat
from tests.realtime.conftest import login_token

GRACE = 1.5  # seconds an agent stays online after their last page closed


@pytest.fixture
async def app(app_settings):
    """This module's app keeps agents online a little longer after their last page, so a
    busy test machine's slow reconnect still lands within the grace."""
    return create_app(dataclasses.replace(app_settings, agent_offline_grace_seconds=GRACE))


async def owner_actor(app, tenant) -> Actor:
    token = await app[auth_key].login(tenant.email, "correct horse battery")
    return Actor(await app[auth_key].authenticate(token))


async def test_the_inbox_settings_page_adds_a_tag_and_sets_round_robin(
    app, tenant_a, base_url
) -> None:
    http = await browser_session(base_url, tenant_a.email)
    page = f"{base_url}/dashboard/settings/{tenant_a.site.id}/inbox"
    try:
        async with http.get(page) as response:
            assert response.status == 200
            html = await response.text()
        assert "Automatic assignment" in html and "No tags yet" in html
        token = csrf_of(html)
        form = {"csrf_token": token, "_action": "add_tag", "name": "Billing", "color": "#dc2626"}
        async with http.post(page, data=form) as response:
            assert response.status == 200
            assert "billing" in await response.text()
        form = {"csrf_token": token, "_action": "set_assignment", "mode": "round_robin", "cap": "2"}
        async with http.post(page, data=form) as response:
            assert "round_robin" in await response.text()
        bad = {"csrf_token": token, "_action": "add_tag", "name": "<b>", "color": "red"}
        async with http.post(page, data=bad) as response:
            assert response.status == 400
            assert "A tag name is 1-32 letters" in await response.text()
    finally:
        await http.close()

    answer = await app[console_key].console.run(
        "list_workflow", await owner_actor(app, tenant_a), tenant_a.site.id
    )
    assert answer["assignment"] == {"mode": "round_robin", "cap": 2}
    assert [t["name"] for t in answer["tags"]] == ["billing"]


async def test_round_robin_takes_turns_among_online_agents_and_respects_the_cap(
    app, tenant_a, agent_of, teammate_of, visitor_of
) -> None:
    sam, sam_email = await teammate_of(tenant_a, "Sam")
    owner = await agent_of(tenant_a.email)
    sams = await agent_of(sam_email)
    await app[console_key].console.run(
        "set_assignment",
        await owner_actor(app, tenant_a),
        tenant_a.site.id,
        {"mode": "round_robin", "cap": 1},
    )

    chats = [await start_chat(await visitor_of(tenant_a), f"question {n}") for n in range(3)]

    mine = (await owner.call("inbox", {"view": "mine"}))["conversations"]
    theirs = (await sams.call("inbox", {"view": "mine"}))["conversations"]
    unassigned = (await owner.call("inbox", {"view": "unassigned"}))["conversations"]
    assert len(mine) == 1 and len(theirs) == 1  # one each, in turn
    assert [c["id"] for c in unassigned] == [chats[2]["conversation_id"]]  # both at the cap
    event = await sams.next("conversation_event")
    while event["name"] != "conversation.assigned":
        event = await sams.next("conversation_event")
    assert event["actor"]["name"] == "Automatic assignment"
    assert sam.id in {mine[0]["assignee_id"], theirs[0]["assignee_id"]}


async def test_an_agent_moving_to_settings_stays_online_for_visitors(
    app, tenant_a, base_url, socket_client, visitor_of
) -> None:
    token = await login_token(base_url, tenant_a.email)
    inbox_page = await socket_client("/agent", base_url, {"token": token})
    await inbox_page.next("session")
    visitor = await visitor_of(tenant_a)
    assert visitor.session["agents_online"] is True

    # The inbox page unloads; the Settings page's own /agent connection opens a moment later.
    await inbox_page.close()
    await asyncio.sleep(0.1)
    settings_page = await socket_client("/agent", base_url, {"token": token})
    await settings_page.next("session")

    await asyncio.sleep(GRACE + 0.3)  # past the grace
    told = [data for event, data in visitor.seen if event == "agents_online"]
    assert {"online": False} not in told  # visitors never saw the team go away
    await settings_page.close()
    while (await visitor.next("agents_online", wait=GRACE + 3)) != {"online": False}:
        pass  # the last page closed: after the grace, the team is away
