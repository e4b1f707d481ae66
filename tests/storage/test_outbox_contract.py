"""The webhook outbox contract: every backend in the ``message_store`` fixture must pass it."""

from __future__ import annotations

import asyncio

from server.storage.messages.base import MessageStore
from server.storage.outbox.webhooks import AttemptResult, Delivery, DeliveryStatus

SITE, OTHER_SITE = 1, 2
NOW = 1_800_000_000_000
LEASE = 30_000


def make_delivery(
    store: MessageStore, *, site_id: int = SITE, endpoint_id: int = 7, due: int = NOW
) -> Delivery:
    return Delivery(
        id=store.new_id(),
        site_id=site_id,
        endpoint_id=endpoint_id,
        event="message.created",
        body='{"type": "message.created", "text": "Grüße 👋"}',
        created_ms=due,
        locked_until=due,
    )


async def test_added_deliveries_read_back_whole(message_store: MessageStore) -> None:
    delivery = make_delivery(message_store)
    await message_store.add_deliveries([delivery])
    assert await message_store.get_delivery(SITE, delivery.id) == delivery
    assert await message_store.get_delivery(OTHER_SITE, delivery.id) is None
    assert await message_store.count_pending_deliveries() == 1


async def test_a_claim_takes_due_deliveries_oldest_first_and_leases_them(
    message_store: MessageStore,
) -> None:
    later = make_delivery(message_store, due=NOW + 10)
    first = make_delivery(message_store, due=NOW - 10)
    not_yet = make_delivery(message_store, due=NOW + 60_000)
    await message_store.add_deliveries([later, first, not_yet])

    [oldest] = await message_store.claim_deliveries(NOW + 10, LEASE, "worker-a", 1)
    [other] = await message_store.claim_deliveries(NOW + 10, LEASE, "worker-a", 10)
    claimed = [oldest, other]

    assert [d.id for d in claimed] == [first.id, later.id]
    assert all(d.lease == "worker-a" and d.attempts == 1 for d in claimed)
    assert all(d.locked_until == NOW + 10 + LEASE for d in claimed)
    # Leased: nobody else gets them until the lease ends.
    assert await message_store.claim_deliveries(NOW + 20, LEASE, "worker-b", 10) == []
    # The lease ran out (the worker died): another worker takes them over.
    again = await message_store.claim_deliveries(NOW + 10 + LEASE, LEASE, "worker-b", 5)
    assert {(d.id, d.lease, d.attempts) for d in again} == {
        (first.id, "worker-b", 2),
        (later.id, "worker-b", 2),
    }


async def test_two_claims_at_once_never_share_a_delivery(message_store: MessageStore) -> None:
    deliveries = [make_delivery(message_store) for _ in range(30)]
    await message_store.add_deliveries(deliveries)

    batches = await asyncio.gather(
        *(message_store.claim_deliveries(NOW, LEASE, f"worker-{n}", 7) for n in range(6))
    )

    ids = [d.id for batch in batches for d in batch]
    assert len(ids) == len(set(ids)) > 0
    while batch := await message_store.claim_deliveries(NOW, LEASE, "late", 7):
        ids += [d.id for d in batch]
    assert sorted(ids) == sorted(d.id for d in deliveries)


async def test_an_attempt_is_recorded_only_under_its_lease(message_store: MessageStore) -> None:
    delivery = make_delivery(message_store)
    await message_store.add_deliveries([delivery])
    await message_store.claim_deliveries(NOW, LEASE, "worker-a", 5)
    retry = AttemptResult(
        DeliveryStatus.PENDING,
        attempted_ms=NOW + 5,
        retry_at=NOW + 10_000,
        response_status=500,
        latency_ms=42,
        response_excerpt="oops",
        error="the receiver answered 500",
    )

    assert not await message_store.record_attempt(delivery.id, "worker-b", retry)
    assert await message_store.record_attempt(delivery.id, "worker-a", retry)
    # The same lease cannot record twice: the delivery is no longer held.
    assert not await message_store.record_attempt(delivery.id, "worker-a", retry)

    stored = await message_store.get_delivery(SITE, delivery.id)
    assert stored is not None
    assert (stored.status, stored.locked_until, stored.lease) == (
        DeliveryStatus.PENDING,
        NOW + 10_000,
        None,
    )
    assert (stored.response_status, stored.latency_ms, stored.response_excerpt) == (500, 42, "oops")
    assert stored.last_attempt_ms == NOW + 5 and stored.error == "the receiver answered 500"
    assert await message_store.claim_deliveries(NOW + 9_999, LEASE, "w", 5) == []
    [again] = await message_store.claim_deliveries(NOW + 10_000, LEASE, "worker-c", 5)
    done = AttemptResult(DeliveryStatus.DELIVERED, attempted_ms=NOW + 10_001, response_status=204)
    assert await message_store.record_attempt(again.id, "worker-c", done)

    stored = await message_store.get_delivery(SITE, delivery.id)
    assert stored is not None and stored.status is DeliveryStatus.DELIVERED
    assert stored.attempts == 2 and stored.error == "" and stored.response_status == 204
    assert await message_store.count_pending_deliveries() == 0
    assert await message_store.claim_deliveries(NOW + 10**9, LEASE, "w", 5) == []


async def test_failed_deliveries_are_never_claimed(message_store: MessageStore) -> None:
    delivery = make_delivery(message_store)
    await message_store.add_deliveries([delivery])
    [claimed] = await message_store.claim_deliveries(NOW, LEASE, "w", 5)
    gave_up = AttemptResult(DeliveryStatus.FAILED, attempted_ms=NOW, error="gave up")
    assert await message_store.record_attempt(claimed.id, "w", gave_up)
    assert await message_store.claim_deliveries(NOW + 10**9, LEASE, "w", 5) == []
    assert await message_store.count_pending_deliveries() == 0


async def test_an_endpoints_log_is_newest_first_paged_and_its_own(
    message_store: MessageStore,
) -> None:
    mine = [make_delivery(message_store) for _ in range(5)]
    await message_store.add_deliveries(mine)
    await message_store.add_deliveries(
        [make_delivery(message_store, endpoint_id=8), make_delivery(message_store, site_id=2)]
    )

    page = await message_store.list_deliveries(SITE, 7, limit=3)
    assert [d.id for d in page] == [d.id for d in reversed(mine)][:3]
    rest = await message_store.list_deliveries(SITE, 7, before=page[-1].id, limit=3)
    assert [d.id for d in rest] == [mine[1].id, mine[0].id]
    assert await message_store.list_deliveries(OTHER_SITE, 7) != []
    assert await message_store.list_deliveries(OTHER_SITE, 8) == []


async def test_finished_deliveries_are_pruned_after_their_time(
    message_store: MessageStore,
) -> None:
    async def finished(status: DeliveryStatus, at: int) -> Delivery:
        delivery = make_delivery(message_store, due=NOW - 90_000_000)
        await message_store.add_deliveries([delivery])
        [claimed] = await message_store.claim_deliveries(NOW, LEASE, f"w-{delivery.id}", 1)
        assert await message_store.record_attempt(
            claimed.id, claimed.lease, AttemptResult(status, at)
        )
        return delivery

    old_ok = await finished(DeliveryStatus.DELIVERED, NOW - 50_000)
    old_failed = await finished(DeliveryStatus.FAILED, NOW - 40_000)
    recent = await finished(DeliveryStatus.DELIVERED, NOW + 10)
    waiting = make_delivery(message_store, due=NOW + 60_000)  # old or not, pending stays
    await message_store.add_deliveries([waiting])

    assert await message_store.prune_deliveries(NOW, limit=1) == 1
    assert await message_store.prune_deliveries(NOW, limit=10) == 1
    assert await message_store.prune_deliveries(NOW, limit=10) == 0
    for gone in (old_ok, old_failed):
        assert await message_store.get_delivery(SITE, gone.id) is None
    for kept in (recent, waiting):
        assert await message_store.get_delivery(SITE, kept.id) is not None
    assert await message_store.count_pending_deliveries() == 1
