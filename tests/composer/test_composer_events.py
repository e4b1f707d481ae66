"""The reply box over the socket and REST: saved replies filled for the conversation's
visitor, suggestions for the open question, and nothing of another site."""

from __future__ import annotations

import aiohttp

from tests.composer.conftest import SHOP_B, login_token

SHOP_PAGE = {"url": "http://shop-a.test/returns", "title": "Returns", "referrer": ""}


async def make_replies(agent) -> None:
    for shortcut, title, text, scope in [
        ("refund", "Refunds", "Hi {{visitor.name}}, refunds take 5 days. {{agent.name}}", "shared"),
        ("hours", "Opening hours", "We are here 9 to 5, {{visitor.first_name}}.", "shared"),
        ("sig", "Signature", "Cheers from {{site.name}}", "personal"),
    ]:
        answer = await agent.call(
            "create_reply",
            {"site_id": agent.site_id, "shortcut": shortcut, "title": title, "text": text}
            | {"scope": scope},
        )
        assert answer["ok"], answer


async def opened(visitor, text: str) -> dict:
    ack = await visitor.call("send_message", {"client_id": f"c-{abs(hash(text))}", "text": text})
    assert ack["ok"], ack
    return ack["message"]


async def test_saved_replies_come_filled_for_the_visitor(agent_a, tenant_a, visitor_of):
    agent_a.site_id = tenant_a.site.id
    await make_replies(agent_a)
    visitor = await visitor_of(tenant_a)
    message = await opened(visitor, "hello")
    conversation_id = message["conversation_id"]

    answer = await agent_a.call("saved_replies", {"conversation_id": conversation_id})
    filled = {r["shortcut"]: r["filled"] for r in answer["replies"]}
    agent_name = tenant_a.agent.name
    assert filled == {
        "hours": "We are here 9 to 5, there.",
        "refund": f"Hi there, refunds take 5 days. {agent_name}",
        "sig": "Cheers from Shop A",
    }
    assert await visitor.call("identify", {"name": "Ana Lima", "email": "ana@example.com"})
    answer = await agent_a.call("saved_replies", {"conversation_id": conversation_id})
    filled = {r["shortcut"]: r["filled"] for r in answer["replies"]}
    assert filled["hours"] == "We are here 9 to 5, Ana."
    assert filled["refund"].startswith("Hi Ana Lima,")
    raw = {r["shortcut"]: r["text"] for r in answer["replies"]}
    assert raw["hours"] == "We are here 9 to 5, {{visitor.first_name}}."


async def test_suggestions_follow_the_open_question(agent_a, tenant_a, visitor_of):
    agent_a.site_id = tenant_a.site.id
    await make_replies(agent_a)
    visitor = await visitor_of(tenant_a, page=SHOP_PAGE)
    await visitor.call("identify", {"name": "Ana"})
    first = await opened(visitor, "Hello, I'd like my money back")
    second = await opened(visitor, "how long does a refund take?")
    conversation_id = first["conversation_id"]

    answer = await agent_a.call("suggest_replies", {"conversation_id": conversation_id})
    assert answer["ok"] and answer["message_id"] == second["id"]
    assert answer["suggestions"][0]["shortcut"] == "refund"
    assert answer["suggestions"][0]["filled"].startswith("Hi Ana, refunds take 5 days.")
    assert len(answer["suggestions"]) <= 3

    # Answered: nothing to suggest until the visitor writes again.
    sent = await agent_a.call(
        "send_message", {"conversation_id": conversation_id, "client_id": "a-1", "text": "Sure"}
    )
    assert sent["ok"]
    answer = await agent_a.call("suggest_replies", {"conversation_id": conversation_id})
    assert answer == {"ok": True, "message_id": None, "suggestions": []}
    asked = await opened(visitor, "and when are you open?")
    answer = await agent_a.call("suggest_replies", {"conversation_id": conversation_id})
    assert answer["message_id"] == asked["id"]
    assert answer["suggestions"][0]["shortcut"] == "hours"


async def test_a_changed_reply_is_suggested_at_once(agent_a, tenant_a, visitor_of):
    agent_a.site_id = tenant_a.site.id
    await make_replies(agent_a)
    visitor = await visitor_of(tenant_a)
    message = await opened(visitor, "Do you ship to Norway?")
    conversation_id = message["conversation_id"]
    answer = await agent_a.call("suggest_replies", {"conversation_id": conversation_id})
    assert answer["suggestions"] == []
    made = await agent_a.call(
        "create_reply",
        {"site_id": tenant_a.site.id, "shortcut": "nordics", "text": "We ship to Norway."},
    )
    assert made["ok"]
    answer = await agent_a.call("suggest_replies", {"conversation_id": conversation_id})
    assert [s["shortcut"] for s in answer["suggestions"]] == ["nordics"]


async def test_another_sites_agent_gets_nothing(
    agent_a, tenant_a, tenant_b, visitor_of, socket_client, base_url
):
    agent_a.site_id = tenant_a.site.id
    await make_replies(agent_a)
    visitor = await visitor_of(tenant_a)
    message = await opened(visitor, "refund please")
    conversation_id = message["conversation_id"]
    token_b = await login_token(base_url, tenant_b.email)
    agent_b = await socket_client("/agent", base_url, {"token": token_b}, {"Origin": SHOP_B})
    await agent_b.next("session")
    for event in ("saved_replies", "suggest_replies"):
        answer = await agent_b.call(event, {"conversation_id": conversation_id})
        assert (answer["ok"], answer["code"]) == (False, "not_found"), event
        answer = await agent_b.call(event, {"conversation_id": "not an id"})
        assert (answer["ok"], answer["code"]) == (False, "invalid"), event
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token_b}"}) as http:
        for name in ("saved-replies", "suggested-replies"):
            url = f"{base_url}/api/v1/conversations/{conversation_id}/{name}"
            async with http.get(url) as response:
                assert response.status == 404, name
                assert "refund" not in await response.text()
    token_a = await login_token(base_url, tenant_a.email)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token_a}"}) as http:
        url = f"{base_url}/api/v1/conversations/{conversation_id}/suggested-replies"
        async with http.get(url) as response:
            body = await response.json()
            assert response.status == 200 and body["suggestions"][0]["shortcut"] == "refund"
        url = f"{base_url}/api/v1/conversations/{conversation_id}/saved-replies"
        async with http.get(url) as response:
            body = await response.json()
            assert {r["shortcut"] for r in body["replies"]} == {"refund", "hours", "sig"}
    async with aiohttp.ClientSession() as http:
        url = f"{base_url}/api/v1/conversations/{conversation_id}/saved-replies"
        async with http.get(url) as response:
            assert response.status == 401
