"""Missed conversations: a visitor's message no agent answered within the site's missed
time shows in the inbox's Missed view and count; the time is a site setting."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import aiohttp

from server.domain import AuthorKind, Conversation
from server.keys import message_store_key
from server.storage.messages.rules import time_key
from tests.inbox.test_lifecycle import start_chat
from tests.realtime.conftest import login_token
from tests.storage.test_message_store_contract import make_message


async def wrote_minutes_ago(
    app, conversation_id: str, site_id: int, minutes: int, text: str = "still there?"
) -> None:
    """A visitor message of ``minutes`` ago (its id carries its time, as the store's do)."""
    store = app[message_store_key]
    conversation = await store.get_conversation(site_id, conversation_id)
    assert isinstance(conversation, Conversation)
    old = datetime.now(UTC) - timedelta(minutes=minutes)
    message = dataclasses.replace(
        make_message(store, conversation, kind=AuthorKind.VISITOR, text=text),
        id=time_key(old),
        created_at=old,
    )
    assert (await store.append_message(message)).created


async def test_a_conversation_waiting_past_the_sites_missed_time_is_in_the_missed_view(
    app, base_url, tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    fresh = await start_chat(await visitor_of(tenant_a), "hello")
    waiting = await start_chat(await visitor_of(tenant_a), "is anyone there")
    await wrote_minutes_ago(app, waiting["conversation_id"], tenant_a.site.id, 10)

    missed = await agent.call("inbox", {"view": "missed"})
    assert [c["id"] for c in missed["conversations"]] == [waiting["conversation_id"]]
    assert missed["counts"]["missed"] == 1 and missed["counts"]["open"] == 2
    desk = await agent.call("desk", {})
    assert [s["missed_after_minutes"] for s in desk["sites"]] == [5]
    assert fresh["conversation_id"] not in str(missed["conversations"])

    # The site allows 20 minutes: nothing is missed yet.
    token = await login_token(base_url, tenant_a.email)
    url = f"{base_url}/api/v1/sites/{tenant_a.site.id}/report-settings"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        async with http.put(url, json={"missed_after_minutes": "20"}) as r:  # the page's field
            assert (await r.json())["missed_after_minutes"] == 20
        async with http.put(url, json={"missed_after_minutes": 0}) as r:
            assert r.status == 400 and "minutes from 1 to 1440" in (await r.json())["error"]
        async with http.get(url) as r:
            assert (await r.json())["missed_after_minutes"] == 20
    assert (await agent.call("inbox", {"view": "missed"}))["conversations"] == []
    assert (await agent.call("inbox_counts", {}))["counts"]["missed"] == 0

    # An agent's answer ends the wait.
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http,
        http.put(url, json={"missed_after_minutes": 5}) as r,
    ):
        assert r.status == 200
    sent = await agent.call(
        "send_message",
        {"conversation_id": waiting["conversation_id"], "client_id": "a-1", "text": "Here!"},
    )
    assert sent["ok"], sent
    assert (await agent.call("inbox_counts", {}))["counts"]["missed"] == 0
