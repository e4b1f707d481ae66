"""Visitors online, idle (every tab hidden) and left, in the summaries agents get."""

from __future__ import annotations


async def test_a_hidden_tab_makes_the_visitor_idle_and_showing_it_makes_them_online(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    assert (await agent_a.next("visitor_arrival"))["presence"] == "online"

    assert (await visitor.call("visitor_status", {"state": "idle"}))["ok"] is True
    idle = await agent_a.next("visitor_updated")
    assert idle["id"] == visitor.session["visitor_id"]
    assert (idle["presence"], idle["online"]) == ("idle", True)
    listed = (await agent_a.call("list_visitors", {}))["visitors"]
    assert [v["presence"] for v in listed] == ["idle"]

    await visitor.call("visitor_status", {"state": "active"})
    assert (await agent_a.next("visitor_updated"))["presence"] == "online"


async def test_a_visitor_is_idle_only_when_every_tab_is_hidden(agent_a, tenant_a, visitor_of):
    first = await visitor_of(tenant_a)
    second = await visitor_of(tenant_a, token=first.session["visitor_token"])
    await agent_a.next("visitor_arrival")
    await agent_a.next("visitor_updated")  # the second tab

    await first.call("visitor_status", {"state": "idle"})
    assert await agent_a.nothing("visitor_updated")

    await second.call("visitor_status", {"state": "idle"})
    assert (await agent_a.next("visitor_updated"))["presence"] == "idle"


async def test_closing_the_only_tab_in_view_leaves_an_idle_visitor(agent_a, tenant_a, visitor_of):
    hidden = await visitor_of(tenant_a)
    shown = await visitor_of(tenant_a, token=hidden.session["visitor_token"])
    await hidden.call("visitor_status", {"state": "idle"})
    await agent_a.next("visitor_arrival")
    await agent_a.next("visitor_updated")

    await shown.close()

    assert (await agent_a.next("visitor_updated"))["presence"] == "idle"


async def test_a_visitor_who_left_is_left(app, agent_a, tenant_a, visitor_of):
    from server.keys import visitors_key

    visitor = await visitor_of(tenant_a)
    visitor_id = visitor.session["visitor_id"]
    await visitor.close()
    await agent_a.next("visitor_left")

    stored = await app[visitors_key]._store.get_visitor(tenant_a.site.id, visitor_id)
    summary = await app[visitors_key].summary(tenant_a.site.id, stored)
    assert summary["presence"] == "left"


async def test_visitor_status_refuses_unknown_states(tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    for payload in ({"state": "away"}, {}, "idle"):
        ack = await visitor.call("visitor_status", payload)
        assert ack["ok"] is False and ack["code"] == "invalid", payload


async def test_a_visitor_leaves_even_when_the_store_fails_as_they_go(
    app, agent_a, tenant_a, visitor_of, monkeypatch
):
    """The page's visible time may be lost with the store; the departure may not, or the
    team would see the visitor online for good."""
    from server.domain import Unavailable
    from server.keys import visitors_key

    visitor = await visitor_of(tenant_a)
    await agent_a.next("visitor_arrival")
    store = app[visitors_key]._store

    async def failing(*args, **kwargs):
        raise Unavailable("the message store is not answering", retry_after=1)

    monkeypatch.setattr(store, "get_visitor", failing)
    await visitor.close()
    assert (await agent_a.next("visitor_left"))["visitor_id"] == visitor.session["visitor_id"]


async def test_a_departure_the_cache_refused_is_written_once_it_answers(
    app, agent_a, tenant_a, visitor_of, monkeypatch
):
    """With Redis out of reach (or out of free connections) as the visitor goes, their
    departure is tried again until it is written, and the team sees them leave."""
    from server.domain import Unavailable
    from server.keys import visitors_key

    visitor = await visitor_of(tenant_a)
    visitor_id = visitor.session["visitor_id"]
    await agent_a.next("visitor_arrival")
    cache = app[visitors_key]._cache
    leave_all = cache.leave_all
    refused: list[object] = []

    async def out_of_reach(entries):
        if len(refused) < 3:
            refused.append(entries)
            raise Unavailable("the cache (Redis) is not answering", retry_after=1)
        return await leave_all(entries)

    monkeypatch.setattr(cache, "leave_all", out_of_reach)
    await visitor.close()

    assert (await agent_a.next("visitor_left", wait=10))["visitor_id"] == visitor_id
    assert len(refused) == 3
    listed = (await agent_a.call("list_visitors", {}))["visitors"]
    assert visitor_id not in {v["id"] for v in listed}
    assert await app[visitors_key].sockets.of_visitor(visitor_id) == set()  # counts too
