"""The e-mail queue contract: every backend in the ``message_store`` fixture must pass it."""

from __future__ import annotations

import asyncio

from server.storage.messages.base import MessageStore
from server.storage.outbox.mail_queue import MailStatus, QueuedMail

NOW = 1_800_000_000_000
LEASE = 30_000


def make_mail(store: MessageStore, key: str = "k", *, due: int = NOW) -> QueuedMail:
    return QueuedMail(
        id=store.new_id(),
        key=key,
        site_id=1,
        kind="transcript",
        recipient="ana@example.com",
        params='{"conversation_id": "c1", "note": "Grüße 👋"}',
        created_ms=due,
        due_ms=due,
    )


async def test_a_queued_mail_reads_back_whole(message_store: MessageStore) -> None:
    mail = make_mail(message_store)
    assert await message_store.enqueue_mail(mail)
    assert await message_store.get_mail(mail.id) == mail
    assert await message_store.count_pending_mails() == 1


async def test_a_key_is_queued_once_while_pending_and_again_once_sent(
    message_store: MessageStore,
) -> None:
    first = make_mail(message_store, "notify:c1:7")
    assert await message_store.enqueue_mail(first)
    assert not await message_store.enqueue_mail(make_mail(message_store, "notify:c1:7"))
    assert await message_store.enqueue_mail(make_mail(message_store, "notify:c1:8"))
    # Held by a worker (still pending): still one.
    claimed = await message_store.claim_mails(NOW, LEASE, "w", 10)
    assert {m.key for m in claimed} == {"notify:c1:7", "notify:c1:8"}
    assert not await message_store.enqueue_mail(make_mail(message_store, "notify:c1:7"))

    assert await message_store.finish_mail(first.id, "w", MailStatus.SENT, NOW + 1)
    again = make_mail(message_store, "notify:c1:7")
    assert await message_store.enqueue_mail(again)
    sent = await message_store.get_mail(first.id)
    assert sent is not None and sent.status is MailStatus.SENT and sent.finished_ms == NOW + 1


async def test_enqueueing_the_same_key_at_once_adds_one(message_store: MessageStore) -> None:
    added = await asyncio.gather(
        *(message_store.enqueue_mail(make_mail(message_store, "same")) for _ in range(8))
    )
    assert added.count(True) == 1
    assert await message_store.count_pending_mails() == 1


async def test_a_claim_takes_due_mails_oldest_first_under_a_lease(
    message_store: MessageStore,
) -> None:
    later = make_mail(message_store, "a", due=NOW + 10)
    first = make_mail(message_store, "b", due=NOW - 10)
    not_yet = make_mail(message_store, "c", due=NOW + 60_000)
    for mail in (later, first, not_yet):
        await message_store.enqueue_mail(mail)

    [oldest] = await message_store.claim_mails(NOW + 10, LEASE, "worker-a", 1)
    [other] = await message_store.claim_mails(NOW + 10, LEASE, "worker-a", 10)
    assert [oldest.id, other.id] == [first.id, later.id]
    assert oldest.lease == "worker-a" and oldest.attempts == 1
    assert oldest.due_ms == NOW + 10 + LEASE
    assert await message_store.claim_mails(NOW + 20, LEASE, "worker-b", 10) == []
    # The holder died: when the lease runs out another worker takes the mail over.
    again = await message_store.claim_mails(NOW + 10 + LEASE, LEASE, "worker-b", 5)
    assert {(m.id, m.lease, m.attempts) for m in again} == {
        (first.id, "worker-b", 2),
        (later.id, "worker-b", 2),
    }


async def test_two_claims_at_once_never_share_a_mail(message_store: MessageStore) -> None:
    mails = [make_mail(message_store, f"k{n}") for n in range(30)]
    for mail in mails:
        await message_store.enqueue_mail(mail)

    batches = await asyncio.gather(
        *(message_store.claim_mails(NOW, LEASE, f"worker-{n}", 7) for n in range(6))
    )
    ids = [m.id for batch in batches for m in batch]
    assert len(ids) == len(set(ids)) > 0
    while batch := await message_store.claim_mails(NOW, LEASE, "late", 7):
        ids += [m.id for m in batch]
    assert sorted(ids) == sorted(m.id for m in mails)


async def test_an_attempt_is_recorded_only_under_its_lease(message_store: MessageStore) -> None:
    mail = make_mail(message_store)
    await message_store.enqueue_mail(mail)
    await message_store.claim_mails(NOW, LEASE, "worker-a", 5)

    retry = {"retry_at": NOW + 10_000, "error": "421 try later"}
    retry_later = MailStatus.PENDING
    assert not await message_store.finish_mail(mail.id, "worker-b", retry_later, NOW, **retry)
    assert await message_store.finish_mail(mail.id, "worker-a", retry_later, NOW, **retry)
    assert not await message_store.finish_mail(mail.id, "worker-a", MailStatus.SENT, NOW)

    stored = await message_store.get_mail(mail.id)
    assert stored is not None
    assert (stored.status, stored.due_ms, stored.lease, stored.error) == (
        MailStatus.PENDING,
        NOW + 10_000,
        None,
        "421 try later",
    )
    assert await message_store.claim_mails(NOW + 9_999, LEASE, "w", 5) == []
    [again] = await message_store.claim_mails(NOW + 10_000, LEASE, "worker-c", 5)
    assert await message_store.finish_mail(again.id, "worker-c", MailStatus.FAILED, NOW + 10_001)
    assert await message_store.claim_mails(NOW + 10**9, LEASE, "w", 5) == []
    assert await message_store.count_pending_mails() == 0


async def test_finished_mails_are_pruned_pending_ones_never(message_store: MessageStore) -> None:
    done, waiting = make_mail(message_store, "done"), make_mail(message_store, "waiting")
    await message_store.enqueue_mail(done)
    await message_store.claim_mails(NOW, LEASE, "w", 1)
    await message_store.finish_mail(done.id, "w", MailStatus.SENT, NOW)
    await message_store.enqueue_mail(waiting)

    assert await message_store.prune_mails(NOW, 10) == 0
    assert await message_store.prune_mails(NOW + 1, 10) == 1
    assert await message_store.get_mail(done.id) is None
    assert await message_store.get_mail(waiting.id) is not None


async def test_an_unsubscribed_address_is_remembered_per_site(message_store: MessageStore) -> None:
    assert not await message_store.mail_opted_out(1, "ana@example.com")
    await message_store.add_mail_optout(1, "ana@example.com", NOW)
    await message_store.add_mail_optout(1, "ana@example.com", NOW + 1)  # twice is fine
    assert await message_store.mail_opted_out(1, "ana@example.com")
    assert not await message_store.mail_opted_out(2, "ana@example.com")
