"""Agents online, away and offline, as the widget and the other agents see it."""

from __future__ import annotations

import aiohttp

from tests.realtime.conftest import SHOP_A


async def status_of(watcher, name: str) -> str:
    """The next ``agent_status`` about the agent called ``name``."""
    for _ in range(10):
        event = await watcher.next("agent_status")
        if event["agent"]["name"] == name:
            return event["status"]
    raise AssertionError(f"no agent_status about {name}")


async def widget_config(base_url: str, tenant) -> dict:
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{base_url}/api/widget/config",
            params={"site_key": tenant.site.site_key},
            headers={"Origin": SHOP_A},
        ) as response,
    ):
        return await response.json()


async def test_online_away_online_offline_as_the_widget_sees_it(
    base_url, agent_a, tenant_a, visitor_of, second_agent
):
    watcher = await second_agent("Ana")
    await watcher.call("set_status", {"status": "away"})  # only agent A counts below
    visitor = await visitor_of(tenant_a)
    assert visitor.session["agents_online"] is True
    assert (await widget_config(base_url, tenant_a))["agents_online"] is True

    ack = await agent_a.call("set_status", {"status": "away"})

    assert ack == {"ok": True, "status": "away"}
    assert await visitor.next("agents_online") == {"online": False}
    assert (await widget_config(base_url, tenant_a))["agents_online"] is False
    late = await visitor_of(tenant_a)
    assert late.session["agents_online"] is False
    assert await status_of(watcher, "Shop A agent") == "away"

    await agent_a.call("set_status", {"status": "online"})
    assert await visitor.next("agents_online") == {"online": True}
    assert await status_of(watcher, "Shop A agent") == "online"

    await agent_a.close()
    assert await visitor.next("agents_online") == {"online": False}
    assert await status_of(watcher, "Shop A agent") == "offline"


async def test_one_online_agent_is_enough_for_we_are_online(
    agent_a, tenant_a, visitor_of, second_agent
):
    ana = await second_agent("Ana")
    visitor = await visitor_of(tenant_a)

    await agent_a.call("set_status", {"status": "away"})

    assert await visitor.nothing("agents_online")
    await ana.call("set_status", {"status": "away"})
    assert await visitor.next("agents_online") == {"online": False}


async def test_inactivity_does_not_undo_away_set_by_hand(agent_a, tenant_a, visitor_of):
    await agent_a.call("set_status", {"status": "away"})

    still = await agent_a.call("set_status", {"status": "online", "auto": True})

    assert still == {"ok": True, "status": "away"}
    visitor = await visitor_of(tenant_a)
    assert visitor.session["agents_online"] is False


async def test_away_for_inactivity_ends_with_activity(agent_a, tenant_a, visitor_of):
    await agent_a.call("set_status", {"status": "away", "auto": True})
    visitor = await visitor_of(tenant_a)
    assert visitor.session["agents_online"] is False

    back = await agent_a.call("set_status", {"status": "online", "auto": True})

    assert back["status"] == "online"
    assert await visitor.next("agents_online") == {"online": True}


async def test_the_session_tells_the_dashboard_its_status(
    base_url, agent_a, tenant_a, socket_client
):
    from tests.realtime.conftest import login_token

    await agent_a.call("set_status", {"status": "away"})

    other_tab = await socket_client(
        "/agent", base_url, {"token": await login_token(base_url, tenant_a.email)}
    )

    assert (await other_tab.next("session"))["status"] == "away"


async def test_set_status_refuses_unknown_states(agent_a):
    for payload in (
        {"status": "offline"},
        {"status": "busy"},
        {},
        "away",
        {"status": "away", "auto": 1},
    ):
        ack = await agent_a.call("set_status", payload)
        assert ack["ok"] is False and ack["code"] == "invalid", payload


async def viewing_of(watcher, name: str) -> dict:
    """The next ``agent_viewing`` about the agent called ``name`` (each sees its own too)."""
    for _ in range(10):
        event = await watcher.next("agent_viewing")
        if event["agent"]["name"] == name:
            return event
    raise AssertionError(f"no agent_viewing about {name}")


async def test_agents_see_each_other_viewing_a_conversation(
    agent_a, tenant_a, visitor_of, second_agent
):
    ana = await second_agent("Ana")
    visitor = await visitor_of(tenant_a)
    sent = await visitor.call("send_message", {"client_id": "c-1", "text": "hi"})
    conversation_id = sent["message"]["conversation_id"]

    first = await agent_a.call("viewing", {"conversation_id": conversation_id})
    assert first == {"ok": True, "viewers": []}
    seen = await viewing_of(ana, "Shop A agent")
    assert seen["viewing"] is True and seen["conversation_id"] == conversation_id

    second = await ana.call("viewing", {"conversation_id": conversation_id})
    assert [v["name"] for v in second["viewers"]] == ["Shop A agent"]
    assert (await viewing_of(agent_a, "Ana"))["viewing"] is True

    await agent_a.call("stop_viewing", {})
    gone = await viewing_of(ana, "Shop A agent")
    assert gone["viewing"] is False and gone["conversation_id"] == conversation_id

    await ana.close()
    assert (await viewing_of(agent_a, "Ana"))["viewing"] is False


async def test_viewing_another_sites_conversation_is_not_found(agent_a, tenant_b, visitor_of):
    from tests.realtime.conftest import SHOP_B

    visitor_b = await visitor_of(tenant_b, origin=SHOP_B, page=None)
    sent = await visitor_b.call("send_message", {"client_id": "c-b", "text": "hi"})

    ack = await agent_a.call("viewing", {"conversation_id": sent["message"]["conversation_id"]})

    assert ack["ok"] is False and ack["code"] == "not_found"


async def test_an_agent_whose_departure_the_cache_refused_goes_offline_once_it_answers(
    app, base_url, agent_a, tenant_a, visitor_of, second_agent, monkeypatch
):
    """With Redis out of reach (or out of free connections) as the agent's dashboard
    closes, their departure is tried again until it is written: the widget stops saying
    the team is online, and the other agents see them go offline and stop viewing."""
    from server.domain import Unavailable
    from server.keys import cache_key

    ana = await second_agent("Ana")
    await ana.call("set_status", {"status": "away"})  # only agent A makes the team online
    visitor = await visitor_of(tenant_a)
    assert visitor.session["agents_online"] is True
    sent = await visitor.call("send_message", {"client_id": "c-1", "text": "hi"})
    conversation_id = sent["message"]["conversation_id"]
    await agent_a.call("viewing", {"conversation_id": conversation_id})
    assert (await viewing_of(ana, "Shop A agent"))["viewing"] is True
    cache = app[cache_key]
    refused: list[object] = []

    def out_of_reach(leave):
        async def refusing(*entries):
            if len(refused) < 3:
                refused.append(entries)
                raise Unavailable("the cache (Redis) is not answering", retry_after=1)
            return await leave(*entries)

        return refusing

    monkeypatch.setattr(cache, "leave", out_of_reach(cache.leave))
    monkeypatch.setattr(cache, "leave_all", out_of_reach(cache.leave_all))
    await agent_a.close()

    assert await visitor.next("agents_online", wait=10) == {"online": False}
    assert len(refused) == 3
    assert (await widget_config(base_url, tenant_a))["agents_online"] is False
    assert await status_of(ana, "Shop A agent") == "offline"
    gone = await viewing_of(ana, "Shop A agent")
    assert gone["viewing"] is False and gone["conversation_id"] == conversation_id
    assert (await ana.call("viewing", {"conversation_id": conversation_id}))["viewers"] == []


async def test_an_agent_goes_offline_though_the_cache_refused_as_their_grace_ended(
    app, base_url, agent_a, tenant_a, visitor_of, second_agent, monkeypatch
):
    """Their departure was written, but Redis is out of reach when the grace for a page
    change ends: the team stops being shown online once it answers."""
    from server.domain import Unavailable
    from server.keys import cache_key
    from server.services.visitors.service import available_agents_group

    ana = await second_agent("Ana")
    await ana.call("set_status", {"status": "away"})  # only agent A makes the team online
    visitor = await visitor_of(tenant_a)
    assert visitor.session["agents_online"] is True
    cache = app[cache_key]
    leave = cache.leave
    refused: list[tuple[str, str, str]] = []

    available = available_agents_group(tenant_a.site.id)

    async def out_of_reach(group: str, member: str, connection: str) -> bool:
        if group == available and len(refused) < 2:
            refused.append((group, member, connection))
            raise Unavailable("the cache (Redis) is not answering", retry_after=1)
        return await leave(group, member, connection)

    monkeypatch.setattr(cache, "leave", out_of_reach)
    await agent_a.close()

    assert await visitor.next("agents_online", wait=10) == {"online": False}
    assert len(refused) == 2
    assert (await widget_config(base_url, tenant_a))["agents_online"] is False
    assert await status_of(ana, "Shop A agent") == "offline"
