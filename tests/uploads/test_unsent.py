"""Uploads never sent in a message are deleted by the retention job once the grace period
has passed; sent ones, and fresh ones that may still be sent, stay. Both store shapes."""

from __future__ import annotations

from datetime import timedelta

from server.domain import utcnow
from server.keys import console_key
from tests.uploads import pictures
from tests.uploads.conftest import fetch


async def test_uploads_never_sent_are_deleted_after_the_grace_period(
    app, base_url, upload, visitor
):
    sent = (await upload(pictures.jpeg(400, 300))).attachment
    unsent = (await upload(pictures.png(40, 40))).attachment
    ack = await visitor.call(
        "send_message", {"client_id": "c-1", "text": "", "attachments": [sent]}
    )
    assert ack["ok"], ack
    retention = app[console_key].console.retention

    # Within the grace period nothing goes: the widget may still send it.
    assert await retention.delete_unsent_uploads() == 0
    assert (await fetch(base_url, unsent["url"]))[0] == 200

    deleted = await retention.delete_unsent_uploads(now=utcnow() + timedelta(days=2))

    assert deleted == 1
    assert (await fetch(base_url, unsent["url"]))[0] == 404
    assert (await fetch(base_url, unsent["thumb_url"]))[0] == 404
    assert (await fetch(base_url, sent["url"]))[0] == 200
    assert (await fetch(base_url, sent["thumb_url"]))[0] == 200
    # Looked at once: a later run deletes nothing more.
    assert await retention.delete_unsent_uploads(now=utcnow() + timedelta(days=2)) == 0
