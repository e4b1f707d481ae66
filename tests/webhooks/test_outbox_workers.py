"""The outbox under the conditions it exists for: several nodes, restarts, dead receivers."""

from __future__ import annotations

import asyncio
import email
import email.policy
import time

import pytest

from server.keys import console_key, events_key, webhook_worker_key, webhooks_key
from server.services.events import Event
from server.services.integrations.webhook_worker import RetryPolicy
from server.storage.outbox.webhooks import DeliveryStatus
from server.storage.sql.audit import AuditRepository
from tests.console.smtp_server import SmtpServer
from tests.support.apps import seed_tenant
from tests.webhooks.conftest import add_endpoint, running, settled

pytestmark = pytest.mark.parametrize("node_settings", ["embedded", "mongo"], indirect=True)


def event(site_id: int, n: int) -> Event:
    return Event("message.created", site_id, {"id": f"m{n}", "text": f"message {n}"})


async def test_two_nodes_claiming_at_once_send_each_delivery_once(node_settings, receiver):
    receiver.delay = 0.02  # attempts overlap
    settings = node_settings()
    async with running(settings) as one, running(settings) as two:
        tenant = await seed_tenant(one, "Shop", ["http://shop.test"])
        endpoint = await add_endpoint(one, tenant.site.id, receiver.url)
        for n in range(40):
            await (one if n % 2 else two)[events_key].publish(event(tenant.site.id, n))

        await receiver.wait_for(lambda r: len(r) >= 40, within=30)
        log = await settled(one, tenant.site.id, endpoint.id, 40)
        await asyncio.sleep(0.3)  # a second copy would arrive now

    deliveries = [r.delivery for r in receiver.received]
    assert len(deliveries) == len(set(deliveries)) == 40
    assert sorted(deliveries) == sorted(d.id for d in log)
    assert {r.json["data"]["id"] for r in receiver.received} == {f"m{n}" for n in range(40)}
    assert all(d.status is DeliveryStatus.DELIVERED and d.attempts == 1 for d in log)


async def test_deliveries_survive_a_restart_and_are_not_sent_again(node_settings, receiver):
    settings = node_settings(webhook_first_retry_seconds=0.5)
    async with running(settings) as before:
        tenant = await seed_tenant(before, "Shop", ["http://shop.test"])
        endpoint = await add_endpoint(before, tenant.site.id, receiver.url)
        await before[events_key].publish(event(tenant.site.id, 1))
        await settled(before, tenant.site.id, endpoint.id)
        receiver.plan = [503]
        await before[events_key].publish(event(tenant.site.id, 2))
        await receiver.wait_for(lambda r: len(r) == 2)
        # Stopped while the second delivery waits for its retry.

    async with running(settings) as after:
        await receiver.wait_for(lambda r: len(r) == 3)
        log = await settled(after, tenant.site.id, endpoint.id, 2)
        await asyncio.sleep(0.5)

    assert [r.status for r in receiver.received] == [200, 503, 200]
    accepted = [r.delivery for r in receiver.accepted()]
    assert sorted(accepted) == sorted(d.id for d in log)
    assert [r.json["data"]["id"] for r in receiver.accepted()] == ["m1", "m2"]


async def test_a_delivery_that_keeps_failing_gives_up_after_its_window(node_settings, receiver):
    settings = node_settings(webhook_first_retry_seconds=0.1, webhook_retry_window_seconds=0.5)
    receiver.plan = [500] * 50
    async with running(settings) as app:
        tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
        endpoint = await add_endpoint(app, tenant.site.id, receiver.url)
        await app[events_key].publish(event(tenant.site.id, 1))
        [delivery] = await settled(app, tenant.site.id, endpoint.id)
        count = len(receiver.received)
        await asyncio.sleep(0.4)
        assert len(receiver.received) == count  # no attempt after giving up

    assert delivery.status is DeliveryStatus.FAILED
    # 0.1 s, 0.2 s, then 0.4 s would land past the half-second window.
    assert delivery.attempts == count == 3
    assert delivery.error == "the receiver answered 500; gave up after 3 attempts"
    assert delivery.response_status == 500


def test_the_backoff_doubles_up_to_an_hour_for_a_day(node_settings) -> None:
    policy = RetryPolicy()
    delays = [policy.retry_delay(n) for n in range(1, 12)]
    assert delays[:9] == [10, 20, 40, 80, 160, 320, 640, 1280, 2560]
    assert delays[9:] == [3600, 3600]
    elapsed, attempts = 0.0, 1
    while elapsed + policy.retry_delay(attempts) <= policy.window_seconds:
        elapsed += policy.retry_delay(attempts)
        attempts += 1
    assert attempts == 32  # about a day of retries


async def test_an_endpoint_that_keeps_failing_is_switched_off_and_owners_told(
    node_settings, receiver
):
    smtp = await SmtpServer().start()
    settings = node_settings(
        webhook_disable_after_failures=3,
        webhook_disable_after_seconds=0,
        smtp_url=f"smtp://127.0.0.1:{smtp.port}",
        mail_from="Porchlight <alerts@porchlight.test>",
    )
    receiver.plan = [500] * 50
    try:
        async with running(settings) as app:
            tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
            endpoint = await add_endpoint(app, tenant.site.id, receiver.url)
            for n in range(3):
                await app[events_key].publish(event(tenant.site.id, n))
            await receiver.wait_for(lambda r: len(r) >= 3)
            await asyncio.wait_for(smtp.arrived.wait(), 10)

            switched = await app[webhooks_key].get(tenant.site.id, endpoint.id)
            assert not switched.enabled
            assert switched.disabled_reason == (
                "3 failed deliveries in a row, the last: the receiver answered 500"
            )
            sessions = app[console_key].console.audit
            assert isinstance(sessions, AuditRepository)
            entries = await sessions.page(tenant.site.id)
            assert [e.action for e in entries][:1] == ["webhook.disabled"]

            # What is still queued is not sent to a switched-off endpoint.
            count = len(receiver.received)
            await app[events_key].publish(event(tenant.site.id, 9))
            await asyncio.sleep(1.0)
            assert len(receiver.received) == count
    finally:
        await smtp.stop()

    [mail] = smtp.messages
    assert mail.recipients == [tenant.email]
    text = email.message_from_string(mail.data, policy=email.policy.default).get_content()
    assert receiver.url in text and "Settings → Webhooks" in text


async def test_an_endpoint_deleted_with_work_queued_drops_it(node_settings, receiver):
    settings = node_settings(webhook_first_retry_seconds=0.3)
    receiver.plan = [500]
    async with running(settings) as app:
        tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
        endpoint = await add_endpoint(app, tenant.site.id, receiver.url)
        await app[events_key].publish(event(tenant.site.id, 1))
        await receiver.wait_for(lambda r: len(r) == 1)
        await app[webhooks_key].delete(tenant.site.id, endpoint.id)
        await asyncio.sleep(0.8)
        worker = app[webhook_worker_key]
        assert await worker._store.count_pending_deliveries() == 0
    assert len(receiver.received) == 1


async def test_finished_deliveries_leave_the_log_after_the_kept_days(node_settings, receiver):
    settings = node_settings(webhook_first_retry_seconds=60, webhook_keep_days=3)
    receiver.plan = [200, 200, 503]
    async with running(settings) as app:
        tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
        endpoint = await add_endpoint(app, tenant.site.id, receiver.url)
        for n in range(3):
            await app[events_key].publish(event(tenant.site.id, n))
        await receiver.wait_for(lambda r: len(r) == 3)
        worker, webhooks = app[webhook_worker_key], app[webhooks_key]
        for _ in range(100):  # the outcomes are stored
            log, _ = await webhooks.deliveries(tenant.site.id, endpoint.id, None, 10)
            if sum(d.status is DeliveryStatus.DELIVERED for d in log) == 2:
                break
            await asyncio.sleep(0.05)

        now = time.time()
        assert await worker.prune_finished(now + 2.9 * 86400) == 0
        assert await worker.prune_finished(now + 3.1 * 86400) == 2
        [left], _ = await webhooks.deliveries(tenant.site.id, endpoint.id, None, 10)
        assert left.status is DeliveryStatus.PENDING  # waiting for its retry: kept
