"""A visitor rates a resolved conversation: agents see it live, reports count it, once."""

from __future__ import annotations

from server.keys import reports_key
from tests.inbox.test_lifecycle import start_chat


async def first(client, event: str, wanted):
    """The next ``event`` that ``wanted`` accepts (earlier ones are passed by)."""
    while True:
        found = await client.next(event)
        if wanted(found):
            return found


async def resolved_chat(agent, visitor) -> str:
    first = await start_chat(visitor)
    conversation_id = first["conversation_id"]
    done = await agent.call("resolve", {"conversation_id": conversation_id})
    assert done["ok"], done
    return conversation_id


async def test_a_rating_after_resolve_reaches_agents_live_and_the_reports(
    app, tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    other_tab = await visitor_of(tenant_a, token=visitor.session["visitor_token"])
    conversation_id = await resolved_chat(agent, visitor)

    ack = await visitor.call(
        "rate_conversation",
        {"conversation_id": conversation_id, "score": "okay", "comment": " took a while "},
    )

    assert ack["ok"], ack
    assert ack["rating"]["score"] == "okay" and ack["rating"]["comment"] == "took a while"
    event = await first(agent, "conversation_event", lambda e: e["name"] == "rating.created")
    assert event["rating"]["score"] == "okay" and event["rating"]["points"] == 3
    assert event["conversation"]["rating"]["comment"] == "took a while"
    row = await first(agent, "conversation_updated", lambda c: c.get("rating") is not None)
    assert row["id"] == conversation_id
    told = await first(other_tab, "conversation_status", lambda s: "rating" in s)
    assert told["rating"]["score"] == "okay"
    history = await agent.call("history", {"conversation_id": conversation_id})
    assert history["conversation"]["rating"]["score"] == "okay"
    again = await visitor_of(tenant_a, token=visitor.session["visitor_token"])
    assert again.session["conversation"]["rating"]["score"] == "okay"

    _, found = await app[reports_key].figures(
        [tenant_a.site.id], {"period": "today"}, ["satisfaction", "comments"]
    )
    columns = found["satisfaction"].columns
    totals = [sum(row[i] for row in found["satisfaction"].rows) for i in (1, 2, 3, 4)]
    assert columns[1:5] == ("ratings", "good", "okay", "bad")
    assert totals == [1, 0, 1, 0]  # one rating: okay
    assert found["comments"].rows[0][-1] == "took a while"


async def test_a_conversation_is_rated_once_and_only_by_its_visitor(
    tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    stranger = await visitor_of(tenant_a)
    conversation_id = await resolved_chat(agent, visitor)
    good = {"conversation_id": conversation_id, "score": "good"}

    theirs = await stranger.call("rate_conversation", good)
    first = await visitor.call("rate_conversation", good)
    second = await visitor.call("rate_conversation", {**good, "score": "bad"})

    assert (theirs["ok"], theirs["code"]) == (False, "not_found")
    assert first["ok"] and first["rating"]["score"] == "good"
    assert (second["ok"], second["code"]) == (False, "conflict")


async def test_an_open_conversation_cannot_be_rated_and_bad_input_is_invalid(
    tenant_a, visitor_of
) -> None:
    visitor = await visitor_of(tenant_a)
    conversation_id = (await start_chat(visitor))["conversation_id"]

    still_open = await visitor.call(
        "rate_conversation", {"conversation_id": conversation_id, "score": "good"}
    )
    assert (still_open["ok"], still_open["code"]) == (False, "conflict")
    for bad in (
        None,
        "good",
        {"conversation_id": conversation_id},
        {"conversation_id": conversation_id, "score": 5},
        {"conversation_id": conversation_id, "score": "great"},
        {"conversation_id": "nope", "score": "good"},
        {"conversation_id": conversation_id, "score": "good", "comment": 7},
        {"conversation_id": conversation_id, "score": "good", "comment": "x" * 2001},
    ):
        refused = await visitor.call("rate_conversation", bad)
        assert (refused["ok"], refused["code"]) == (False, "invalid"), bad
