"""Webhook deliveries end to end: a visitor chats, a receiver on localhost hears about it."""

from __future__ import annotations

import asyncio
import time

from server.keys import events_key, webhook_worker_key, webhooks_key
from server.services.events import Event
from server.storage.outbox.webhooks import DeliveryStatus
from tests.webhooks.conftest import add_endpoint, documented_python_verifier, settled


async def test_a_visitors_message_reaches_the_receiver_signed(
    app, server, receiver, tenant_a, visitor_of
):
    endpoint = await add_endpoint(app, tenant_a.site.id, receiver.url)
    visitor = await visitor_of(tenant_a)

    ack = await visitor.call("send_message", {"client_id": "c-1", "text": "Hallo <b>Welt</b> 👋"})
    assert ack["ok"]

    got = await receiver.wait_for(lambda r: len(r) >= 2)
    opened, created = got
    assert [opened.event, created.event] == ["conversation.created", "message.created"]
    body = created.json
    assert body["type"] == "message.created" and body["site_id"] == tenant_a.site.id
    assert body["data"]["message"]["text"] == "Hallo <b>Welt</b> 👋"
    assert body["data"]["message"]["id"] == ack["message"]["id"]
    assert body["conversation_id"] == ack["message"]["conversation_id"]
    assert body["agent_only"] is False and body["actor"]["kind"] == "visitor"
    assert opened.json["data"]["conversation"]["id"] == body["conversation_id"]
    assert created.delivery != opened.delivery

    verify = documented_python_verifier()
    for request in got:
        assert verify(endpoint.secret, request.body, request.headers["Porchlight-Signature"])
        assert not verify("whsec_wrong", request.body, request.headers["Porchlight-Signature"])
        assert not verify(
            endpoint.secret, request.body + b" ", request.headers["Porchlight-Signature"]
        )

    log = await settled(app, tenant_a.site.id, endpoint.id, 2)
    assert [d.status for d in log] == [DeliveryStatus.DELIVERED] * 2
    assert log[0].response_status == 200 and log[0].response_excerpt == "answered 200"


async def test_the_documented_verifier_refuses_an_old_signature(app, server, receiver, tenant_a):
    from server.services.integrations.webhook_signing import signature

    verify = documented_python_verifier()
    body = b'{"type": "webhook.test"}'
    assert verify("whsec_x", body, signature("whsec_x", int(time.time()), body))
    assert not verify("whsec_x", body, signature("whsec_x", int(time.time()) - 301, body))
    assert not verify("whsec_x", body, "nonsense")


async def test_agent_only_events_go_only_to_endpoints_that_ask(app, server, receiver, tenant_a):
    plain = await add_endpoint(app, tenant_a.site.id, receiver.url.replace("porchlight", "plain"))
    private = await add_endpoint(
        app,
        tenant_a.site.id,
        receiver.url.replace("porchlight", "private"),
        include_agent_only=True,
    )
    note = {"id": "n1", "kind": "note", "text": "card declined twice, be gentle"}
    for agent_only, text in ((True, note), (False, {"id": "m1", "kind": "message"})):
        await app[events_key].publish(
            Event("message.created", tenant_a.site.id, text, agent_only=agent_only)
        )

    got = await receiver.wait_for(lambda r: len(r) >= 3)
    await asyncio.sleep(0.3)  # room for a delivery that should not come
    by_path = {(r.json["data"]["id"], r.json["agent_only"]) for r in receiver.received}
    assert by_path == {("n1", True), ("m1", False)}
    assert len(receiver.received) == 3
    notes = [r for r in got if r.json["data"]["id"] == "n1"]
    assert len(notes) == 1
    plain_log, _ = await app[webhooks_key].deliveries(tenant_a.site.id, plain.id, None, 10)
    private_log, _ = await app[webhooks_key].deliveries(tenant_a.site.id, private.id, None, 10)
    assert len(plain_log) == 1 and len(private_log) == 2


async def test_a_failed_attempt_is_retried_with_the_same_delivery_id(
    app, server, receiver, tenant_a, visitor_of
):
    receiver.plan = [500, 503]
    endpoint = await add_endpoint(app, tenant_a.site.id, receiver.url, events=["message.created"])
    visitor = await visitor_of(tenant_a)
    await visitor.call("send_message", {"client_id": "c-1", "text": "anyone there?"})

    got = await receiver.wait_for(lambda r: len(r) >= 3)
    assert [r.status for r in got] == [500, 503, 200]
    assert len({r.delivery for r in got}) == 1
    assert len({r.body for r in got}) == 1  # the same bytes every time
    # The backoff: 0.2 s, then twice that.
    first_wait, second_wait = got[1].at - got[0].at, got[2].at - got[1].at
    # (measured at arrival; the wait runs from the start of the attempt before)
    assert first_wait >= 0.15 and second_wait >= 0.35, (first_wait, second_wait)
    [delivery] = await settled(app, tenant_a.site.id, endpoint.id)
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert delivery.error == ""


async def test_a_slow_receiver_costs_the_visitor_nothing(
    app, server, receiver, tenant_a, visitor_of
):
    receiver.delay = 6.0
    await add_endpoint(app, tenant_a.site.id, receiver.url)
    visitor = await visitor_of(tenant_a)
    for n in range(3):
        started = time.perf_counter()
        ack = await visitor.call("send_message", {"client_id": f"c-{n}", "text": f"hi {n}"})
        assert ack["ok"]
        # Far below the receiver's delay: the ack never waits for a delivery (the bound is
        # loose so a busy machine does not fail it; it measures no speed).
        assert time.perf_counter() - started < 2.0


async def test_the_test_button_and_redeliver(app, server, receiver, tenant_a):
    webhooks = app[webhooks_key]
    endpoint = await add_endpoint(app, tenant_a.site.id, receiver.url)
    test = await webhooks.send_test(tenant_a.site.id, endpoint.id)
    [first] = await receiver.wait_for(lambda r: len(r) >= 1)
    assert first.event == "webhook.test" and first.delivery == test.id
    assert first.json["data"]["endpoint_id"] == endpoint.id

    again = await webhooks.redeliver(tenant_a.site.id, endpoint.id, test.id)
    _, second = await receiver.wait_for(lambda r: len(r) >= 2)
    assert second.delivery == again.id != test.id
    assert second.body == first.body
    stored = await app[webhook_worker_key]._store.get_delivery(tenant_a.site.id, again.id)
    assert stored is not None and stored.redelivery_of == test.id


async def test_a_visitor_who_says_who_they_are_is_announced(
    app, server, receiver, tenant_a, visitor_of
):
    endpoint = await add_endpoint(
        app, tenant_a.site.id, receiver.url, events=["visitor.identified"]
    )
    visitor = await visitor_of(tenant_a)
    assert (await visitor.call("identify", {"name": "Zoë", "email": "zoe@example.com"}))["ok"]
    assert (await visitor.call("identify", {"name": "Zoë", "email": "zoe@example.com"}))["ok"]

    [got] = await receiver.wait_for(lambda r: len(r) >= 1)
    body = got.json
    assert body["type"] == "visitor.identified"
    assert body["data"]["visitor"]["id"] == visitor.session["visitor_id"] == body["visitor_id"]
    assert (body["data"]["visitor"]["name"], body["data"]["visitor"]["email"]) == (
        "Zoë",
        "zoe@example.com",
    )
    await settled(app, tenant_a.site.id, endpoint.id)
    await asyncio.sleep(0.3)
    assert len(receiver.received) == 1  # saying the same again changes nothing
