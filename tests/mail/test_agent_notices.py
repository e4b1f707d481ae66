"""Agents are e-mailed about visitor messages while nobody of the team is online: per
agent setting, and a burst of messages is one e-mail."""

from __future__ import annotations

import asyncio

import aiohttp

from server.keys import agent_settings_key
from tests.mail.conftest import BATCH_SECONDS
from tests.realtime.conftest import login_token


async def send_burst(visitor, count: int) -> str:
    conversation_id = ""
    for n in range(count):
        ack = await visitor.call("send_message", {"client_id": f"c-{n}", "text": f"Hello <{n}>"})
        assert ack["ok"] is True
        conversation_id = ack["message"]["conversation_id"]
    return conversation_id


async def test_a_burst_while_nobody_is_online_is_one_email(tenant_a, visitor_of, smtp, app):
    visitor = await visitor_of(tenant_a)
    conversation_id = await send_burst(visitor, 10)

    [mail] = await smtp.wait_for(1)
    await asyncio.sleep(BATCH_SECONDS * 1.5)  # a second e-mail would have come by now
    assert len(smtp.arrived) == 1
    assert mail.recipients == [tenant_a.email]
    assert "10 new messages" in mail.subject and "Shop A" in mail.subject
    text, html = mail.body("plain"), mail.body("html")
    assert all(f"Hello <{n}>" in text for n in range(10))
    assert "Hello &lt;9&gt;" in html and "Hello <9>" not in html  # escaped in HTML
    assert f"https://chat.shop-a.test/#/inbox/{conversation_id}" in text
    assert f'href="https://chat.shop-a.test/#/inbox/{conversation_id}"' in html

    # Later news is a new e-mail, with the earlier messages as context.
    ack = await visitor.call("send_message", {"client_id": "c-late", "text": "Anyone there?"})
    assert ack["ok"] is True, ack
    await smtp.wait_for(2)
    assert "1 new message" in smtp.arrived[1].subject
    assert "Hello <9>" in smtp.arrived[1].body("plain")


async def test_no_email_while_an_agent_is_online(agent_a, tenant_a, visitor_of, smtp) -> None:
    visitor = await visitor_of(tenant_a)
    await send_burst(visitor, 2)
    await asyncio.sleep(BATCH_SECONDS * 1.5)
    assert smtp.arrived == []


async def test_an_answer_within_the_wait_cancels_the_email(
    tenant_a, visitor_of, smtp, socket_client, base_url
) -> None:
    visitor = await visitor_of(tenant_a)
    token = await login_token(base_url, tenant_a.email)  # signing in is slow: before the wait
    conversation_id = await send_burst(visitor, 1)
    # The agent answers over the REST-less socket path right away, then goes.
    agent = await socket_client("/agent", base_url, {"token": token})
    await agent.next("session")
    ack = await agent.call(
        "send_message", {"conversation_id": conversation_id, "client_id": "a", "text": "Hi!"}
    )
    assert ack["ok"] is True
    await asyncio.sleep(BATCH_SECONDS * 1.5)
    assert smtp.arrived == []


async def test_each_agent_chooses_all_assigned_or_off(app, tenant_a, visitor_of, smtp) -> None:
    from server.domain import Role
    from server.keys import auth_key
    from tests.support.apps import PASSWORD

    auth = app[auth_key]
    quiet = await auth.create_agent("quiet@shop-a.test", PASSWORD, name="Quiet")
    mine_only = await auth.create_agent("mine@shop-a.test", PASSWORD, name="Mine")
    for agent in (quiet, mine_only):
        await auth.add_to_site(agent.id, tenant_a.site.id, Role.AGENT)
    await app[agent_settings_key].update(quiet.id, {"email": "off"})
    await app[agent_settings_key].update(mine_only.id, {"email": "assigned"})

    visitor = await visitor_of(tenant_a)
    await send_burst(visitor, 1)
    await smtp.wait_for(1)
    await asyncio.sleep(BATCH_SECONDS * 1.5)
    assert [m.recipients[0] for m in smtp.arrived] == [tenant_a.email]


async def test_the_email_setting_is_saved_through_the_api(base_url, tenant_a) -> None:
    token = await login_token(base_url, tenant_a.email)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        async with http.put(f"{base_url}/api/v1/me/settings", json={"email": "off"}) as r:
            assert (await r.json())["settings"]["email"] == "off"
        async with http.put(f"{base_url}/api/v1/me/settings", json={"email": "loud"}) as r:
            assert r.status == 400 and "email must be one of" in (await r.json())["error"]
