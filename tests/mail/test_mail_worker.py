"""The e-mail queue's worker against a real SMTP server on localhost, on both stores."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from server.services.mail.mailer import Mail, Mailer
from server.services.mail.queue import MailQueue
from server.services.mail.worker import MAIL_LOOP, MailRetryPolicy, MailWorker
from server.storage.messages.base import MessageStore
from server.storage.messages.sqlite import SqliteMessageStore
from server.storage.outbox.mail_queue import MailStatus, QueuedMail
from tests.support.smtp import SmtpInbox


async def note(mail: QueuedMail) -> Mail:
    return Mail(mail.recipient, "A note", f"Plain {mail.params}", html=f"<p>{mail.params}</p>")


def worker_for(
    store: MessageStore, smtp: SmtpInbox, clock=None, *, first_retry: float = 30.0, **kw
) -> tuple[MailQueue, MailWorker]:
    mailer = Mailer(smtp.url, "Shop <help@shop.test>", timeout=5)
    extra = {"clock": clock} if clock else {}
    queue = MailQueue(store, enabled=True, **extra)
    policy = MailRetryPolicy(first_retry_seconds=first_retry, window_seconds=3600)
    loop = replace(MAIL_LOOP, **extra, **kw)
    return queue, MailWorker(store, queue, mailer, {"note": note}, policy=policy, loop=loop)


async def test_a_queued_mail_arrives_once_with_text_and_html(message_store, smtp) -> None:
    queue, worker = worker_for(message_store, smtp)
    assert await queue.enqueue(1, "note", "Ana@Example.com", {"n": 1}, key="note:1")
    assert None is await queue.enqueue(1, "note", "ana@example.com", {"n": 2}, key="note:1")

    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    [arrived] = smtp.arrived
    assert arrived.recipients == ["ana@example.com"] and arrived.sender == "help@shop.test"
    assert arrived.subject == "A note"
    assert arrived.body("plain").strip() == 'Plain {"n":1}'
    assert arrived.body("html").strip() == '<p>{"n":1}</p>'
    assert await message_store.count_pending_mails() == 0


async def test_without_smtp_nothing_is_queued(message_store) -> None:
    queue = MailQueue(message_store, enabled=False)
    assert await queue.enqueue(1, "note", "ana@example.com", {}, key="k") is None
    assert await message_store.count_pending_mails() == 0


async def test_queued_mail_survives_a_restart(tmp_path: Path, smtp) -> None:
    path = tmp_path / "messages.db"
    first = SqliteMessageStore(path)
    await first.init()
    queue, _ = worker_for(first, smtp)
    for n in range(3):
        await queue.enqueue(1, "note", f"v{n}@example.com", {"n": n}, key=f"k{n}")
    await first.close()  # the node stops before its worker sent anything
    assert smtp.arrived == []

    second = SqliteMessageStore(path)
    await second.init()
    try:
        _, worker = worker_for(second, smtp)
        await worker.start()
        await smtp.wait_for(3)
        await worker.close()
    finally:
        await second.close()
    assert sorted(a.recipients[0] for a in smtp.arrived) == [
        "v0@example.com",
        "v1@example.com",
        "v2@example.com",
    ]


async def test_two_nodes_never_send_the_same_mail(tmp_path: Path, smtp) -> None:
    path = tmp_path / "messages.db"
    stores = [SqliteMessageStore(path), SqliteMessageStore(path)]
    for store in stores:
        await store.init()
    try:
        queue, _ = worker_for(stores[0], smtp)
        for n in range(24):
            await queue.enqueue(1, "note", f"v{n}@example.com", {"n": n}, key=f"k{n}")
        workers = [worker_for(store, smtp, batch=3)[1] for store in stores]
        for worker in workers:
            await worker.start()
        await smtp.wait_for(24)
        await asyncio.sleep(0.3)  # room for a second copy to show up, if one were sent
        for worker in workers:
            await worker.close()
    finally:
        for store in stores:
            await store.close()
    recipients = [a.recipients[0] for a in smtp.arrived]
    assert len(recipients) == len(set(recipients)) == 24


async def test_a_refusing_server_is_retried_with_growing_waits(message_store, smtp) -> None:
    now = [1_800_000_000.0]
    queue, worker = worker_for(message_store, smtp, lambda: now[0], first_retry=10)
    smtp.refuse = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
    mail_id = await queue.enqueue(1, "note", "ana@example.com", {}, key="k")

    waits = []
    for _ in range(2):
        await worker.run_once()
        stored = await message_store.get_mail(mail_id)
        assert stored is not None and stored.status is MailStatus.PENDING
        assert "451" in stored.error
        waits.append(stored.due_ms / 1000 - now[0])
        assert await worker.run_once() == 0  # not due yet
        now[0] = stored.due_ms / 1000
    assert waits == [10.0, 20.0]  # 10 s after the first attempt, 20 s after the second

    await worker.run_once()
    assert len(smtp.arrived) == 1 and smtp.attempts == 3
    stored = await message_store.get_mail(mail_id)
    assert stored is not None and stored.status is MailStatus.SENT


async def test_a_permanent_refusal_ends_the_mail(message_store, smtp) -> None:
    queue, worker = worker_for(message_store, smtp)
    smtp.refuse = ["550 5.1.1 No such user"]
    mail_id = await queue.enqueue(1, "note", "nobody@example.com", {}, key="k")
    await worker.run_once()
    mail = await message_store.get_mail(mail_id)
    assert mail is not None and mail.status is MailStatus.FAILED and "550" in mail.error
    assert await worker.run_once() == 0 and smtp.arrived == []


async def test_an_unreachable_server_is_tried_again_and_given_up_after_the_window(
    message_store, smtp
) -> None:
    now = [1_800_000_000.0]
    queue, worker = worker_for(message_store, smtp, lambda: now[0], first_retry=1000)
    worker._mailer = Mailer("smtp://127.0.0.1:1", None, timeout=2)  # nobody listens there
    mail_id = await queue.enqueue(1, "note", "ana@example.com", {}, key="k")
    await worker.run_once()
    mail = await message_store.get_mail(mail_id)
    assert mail is not None and mail.status is MailStatus.PENDING and mail.error
    now[0] = mail.due_ms / 1000 + 3000  # the next retry would be past the hour's window
    await worker.run_once()
    mail = await message_store.get_mail(mail_id)
    assert mail is not None and mail.status is MailStatus.FAILED


async def test_the_queue_depth_is_reported(message_store, smtp) -> None:
    depths: list[int] = []
    queue, worker = worker_for(message_store, smtp, report_depth=depths.append)
    await queue.enqueue(1, "note", "a@example.com", {}, key="a", delay_seconds=600)
    await queue.enqueue(1, "note", "b@example.com", {}, key="b")
    await worker.start()
    await smtp.wait_for(1)
    for _ in range(100):
        if depths and depths[-1] == 1:
            break
        await asyncio.sleep(0.05)
    await worker.close()
    assert depths[0] in (1, 2) and depths[-1] == 1  # the delayed one still waits
