"""Retention per site: set in the console, applied by the background job (one node per
site's turn), deleting old page views, messages and files and nothing newer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ulid import ULID

from server.domain import Attachment, Author, AuthorKind, Conversation, Message, PageView, utcnow
from server.keys import console_key, message_store_key, settings_key

NAME = "B" * 32 + ".png"


def _id_at(days_ago: float) -> str:
    return str(ULID.from_datetime(utcnow() - timedelta(days=days_ago)))


async def test_retention_is_set_in_the_console_and_applied_by_the_job(app, team, api) -> None:
    site = team.site.id
    path = f"/api/v1/sites/{site}/retention"
    status, body = await api.request("GET", path, team.admin.token)
    assert (status, body["retention"]) == (200, {"days": None})  # default: keep everything
    status, body = await api.request("PUT", path, team.agent.token, {"days": 30})
    assert (status, body["code"]) == (403, "forbidden")
    status, body = await api.request("PUT", path, team.admin.token, {"days": -3})
    assert (status, body["code"]) == (400, "invalid")
    status, body = await api.request("PUT", path, team.admin.token, {"days": 30})
    assert (status, body["retention"]) == (200, {"days": 30})

    store = app[message_store_key]
    uploads = app[settings_key].uploads_dir / str(site)
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / NAME).write_bytes(b"\x89PNG old")
    old_id, new_id = _id_at(40), _id_at(1)
    visitor = Author(AuthorKind.VISITOR, "v-1", "Ana")
    for conversation_id, message_id, files in (
        (
            old_id,
            _id_at(39.9),
            (Attachment(f"/uploads/{site}/{NAME}", "image/png", 8, storage="disk", name=NAME),),
        ),
        (new_id, _id_at(0.5), ()),
    ):
        await store.create_conversation(
            Conversation(conversation_id, site, "v-1", activity_id=conversation_id)
        )
        await store.append_message(
            Message(
                message_id,
                conversation_id,
                site,
                visitor,
                "hi",
                f"c-{message_id}",
                attachments=files,
            )
        )
    for view_id in (_id_at(45), _id_at(2)):
        await store.add_page_view(
            PageView(view_id, site, "v-1", "s-1", "https://shop-a.test/", entered_at=utcnow())
        )

    retention = app[console_key].console.retention
    runs = await asyncio.gather(retention.run_due(), retention.run_due())  # two nodes at once
    assert sorted(len(run) for run in runs) == [0, 1]  # one of them took the site's turn
    assert await retention.run_due() == {}  # and nobody again within the hour

    assert await store.get_conversation(site, old_id) is None
    assert [m.text for m in await store.list_messages(site, new_id)] == ["hi"]
    assert len(await store.recent_page_views(site, "v-1")) == 1
    assert not (uploads / NAME).exists()

    status, body = await api.request("GET", f"/api/v1/sites/{site}/audit", team.owner.token)
    assert "retention.changed" in [entry["action"] for entry in body["entries"]]
