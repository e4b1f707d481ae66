"""A node restarts while a visitor's reply waits in the e-mail queue: the next node sends
it, once (both stores)."""

from __future__ import annotations

import asyncio

from server.app import create_app
from server.keys import visitors_key
from tests.realtime.conftest import PAGE_A, SHOP_A, login_token
from tests.support.apps import seed_tenant


async def test_a_reply_queued_before_a_restart_arrives_once_after_it(
    aiohttp_server, app_settings, smtp, socket_client
) -> None:
    settings = app_settings.with_(mail_batch_seconds=1.0)
    first = create_app(settings)
    server = await aiohttp_server(first)
    url = str(server.make_url("")).rstrip("/")
    tenant = await seed_tenant(first, "Shop A", [SHOP_A])
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A, "device": {"language": "en"}}
    visitor = await socket_client("/visitor", url, auth, {"Origin": SHOP_A})
    session = await visitor.next("session")
    assert (await visitor.call("identify", {"email": "ana@example.com"}))["ok"]
    sent = await visitor.call("send_message", {"client_id": "v", "text": "Hello?"})
    await visitor.close()
    for _ in range(100):
        if not await first[visitors_key].is_online(tenant.site.id, session["visitor_id"]):
            break
        await asyncio.sleep(0.02)
    agent = await socket_client("/agent", url, {"token": await login_token(url, tenant.email)})
    await agent.next("session")
    ack = await agent.call(
        "send_message",
        {"conversation_id": sent["message"]["conversation_id"], "client_id": "a", "text": "Hi!"},
    )
    assert ack["ok"], ack
    await agent.close()
    await server.close()  # the node stops while the reply waits for its batch
    assert smtp.to("ana@example.com") == []

    second = await aiohttp_server(create_app(settings))
    assert second is not None
    for _ in range(200):
        if smtp.to("ana@example.com"):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.5)  # room for a second copy, if one were sent
    [mail] = smtp.to("ana@example.com")
    assert "Hi!" in mail.body("plain")
