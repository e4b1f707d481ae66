"""A bot attaches a file with its API key: uploaded over REST through the same checks as
the widget's and the dashboard's uploads, sent in a message, and shown to the visitor live."""

from __future__ import annotations

import io

import aiohttp

from server.keys import console_key
from tests.support.apps import seed_tenant
from tests.uploads.pictures import EICAR, jpeg


async def upload(desk, data: bytes, filename: str, *, key: str | None = None):
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(data), filename=filename)
    headers = {"Authorization": f"Bearer {key or desk.key}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{desk.base_url}/api/v1/uploads", data=form, headers=headers) as response,
    ):
        return response.status, await response.json()


async def test_a_bot_sends_a_picture_and_the_visitor_sees_it_live(desk, widget):
    visitor = await widget(desk)
    status, uploaded = await upload(desk, jpeg(320, 200), "tent.jpg")
    assert status == 200, uploaded
    attachment = uploaded["attachment"]
    assert (attachment["type"], attachment["width"], attachment["height"]) == (
        "image/jpeg",
        320,
        200,
    )

    path = f"/api/v1/conversations/{visitor.conversation_id}/messages"
    body = {"attachments": [{"ref": attachment["ref"]}], "author_name": "Bot"}
    status, sent, _ = await desk.call("POST", path, body)

    assert status == 200, sent
    shown = await visitor.next("message")
    assert shown["author"]["name"] == "Bot" and shown["text"] == ""
    [picture] = shown["attachments"]
    assert picture["url"] == attachment["url"] and picture["width"] == 320
    async with aiohttp.ClientSession() as http, http.get(desk.base_url + picture["url"]) as got:
        assert got.status == 200 and got.content_type == "image/jpeg"


async def test_uploads_over_rest_are_checked_like_every_upload(desk, widget, app):
    status, body = await upload(desk, b"MZ\x90\x00 a program", "setup.exe")
    assert status in (415, 422) and body["ok"] is False
    status, body = await upload(desk, b"notes " + EICAR, "notes.txt")
    assert status == 422 and body["code"] == "malware"
    status, body = await upload(desk, jpeg(), "x.jpg", key="pl_key_made-up")
    assert status == 401 and body["code"] == "unauthenticated"

    # A reference is its uploader's for its own site only: another site's key cannot use it.
    other = await seed_tenant(app, "Other", ["http://other.test"])
    _, other_key = await app[console_key].api_keys.generate(other.site.id, "primary")
    status, uploaded = await upload(desk, jpeg(), "x.jpg", key=other_key)
    assert status == 200
    visitor = await widget(desk)
    path = f"/api/v1/conversations/{visitor.conversation_id}/messages"
    status, body, _ = await desk.call(
        "POST", path, {"attachments": [{"ref": uploaded["attachment"]["ref"]}]}
    )
    assert status == 403 and "not uploaded by you" in body["error"]
    status, body, _ = await desk.call("POST", path, {"text": ""})
    assert status == 400 and body["error"] == "message is empty"
    assert await visitor.nothing("message")
