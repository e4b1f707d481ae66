"""Uploaded images in messages: only the uploader's own files, on their own site, in time.

Runs on both store shapes (embedded SQLite; MongoDB with Redis), since the attachment is
stored on the message and the rate limits live in the cache.
"""

from __future__ import annotations

import time

import pytest

from server.domain import Role
from server.keys import auth_key, uploads_key
from server.services.files.uploads import UploadLimits
from server.services.team.tokens import TokenSigner
from tests.realtime.conftest import PAGE_A, SHOP_A, SHOP_B, login_token
from tests.support.apps import SECRET, seed_tenant
from tests.uploads import pictures
from tests.uploads.conftest import post_file


@pytest.fixture
async def agent(base_url, tenant, agent_token, socket_client):
    client = await socket_client("/agent", base_url, {"token": agent_token})
    await client.next("session")
    return client


async def test_a_visitor_sends_an_image_and_the_agent_receives_it(upload, visitor, agent):
    uploaded = (await upload(pictures.jpeg(900, 600))).attachment

    ack = await visitor.call(
        "send_message", {"client_id": "c-img", "text": "", "attachments": [uploaded]}
    )

    assert ack["ok"] is True, ack
    stored = ack["message"]
    assert stored["text"] == ""
    [attachment] = stored["attachments"]
    assert attachment == {k: uploaded[k] for k in attachment}
    assert "ref" not in attachment
    assert (attachment["width"], attachment["height"], attachment["type"]) == (
        900,
        600,
        "image/jpeg",
    )
    seen = await agent.next("message")
    assert seen["attachments"] == stored["attachments"]
    opened = await agent.next("conversation_updated")
    assert opened["preview"] == "[image]"  # the inbox names the image, since there is no text

    history = await agent.call("history", {"conversation_id": stored["conversation_id"]})
    assert history["messages"][-1]["attachments"] == stored["attachments"]
    again = await visitor.call("history", {})
    assert again["messages"][-1]["attachments"] == stored["attachments"]


async def test_text_and_several_images_travel_together(upload, visitor):
    first = (await upload(pictures.png(20, 20))).attachment
    second = (await upload(pictures.webp(), content_type="image/webp")).attachment

    ack = await visitor.call(
        "send_message",
        {
            "client_id": "c-two",
            "text": "the tent and the receipt",
            "attachments": [{"ref": first["ref"]}, {"ref": second["ref"]}],
        },
    )

    assert ack["ok"] is True, ack
    assert [a["url"] for a in ack["message"]["attachments"]] == [first["url"], second["url"]]


async def test_an_agent_replies_with_an_image(base_url, visitor, agent, agent_token):
    sent = await visitor.call("send_message", {"client_id": "c-1", "text": "a photo please"})
    conversation_id = sent["message"]["conversation_id"]
    uploaded = (await post_file(base_url, pictures.png(), token=agent_token, origin=None)).body

    ack = await agent.call(
        "send_message",
        {
            "conversation_id": conversation_id,
            "client_id": "a-img",
            "attachments": [{"ref": uploaded["attachment"]["ref"]}],
        },
    )

    assert ack["ok"] is True, ack
    received = await visitor.next("message")
    assert received["attachments"][0]["url"] == uploaded["attachment"]["url"]
    assert received["text"] == ""


async def test_someone_elses_upload_cannot_be_attached(
    upload, visitor, agent, base_url, tenant, socket_client
):
    theirs = (await upload(pictures.png())).attachment
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A}
    other = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
    await other.next("session")

    ack = await other.call(
        "send_message", {"client_id": "c-x", "text": "", "attachments": [{"ref": theirs["ref"]}]}
    )
    assert (ack["ok"], ack["code"]) == (False, "forbidden")

    sent = await visitor.call("send_message", {"client_id": "c-1", "text": "hi"})
    by_agent = await agent.call(
        "send_message",
        {
            "conversation_id": sent["message"]["conversation_id"],
            "client_id": "a-x",
            "attachments": [{"ref": theirs["ref"]}],
        },
    )
    assert (by_agent["ok"], by_agent["code"]) == (False, "forbidden")


async def test_an_upload_for_one_site_cannot_go_into_another(app, base_url, tenant, visitor):
    # One agent works for two sites; a file uploaded to site B may not land in site A.
    site_b = await seed_tenant(app, "Shop B", [SHOP_B])
    await app[auth_key].add_to_site(tenant.agent.id, site_b.site.id, Role.AGENT)
    token = await login_token(base_url, tenant.email)
    for_b = await post_file(
        base_url, pictures.png(), token=token, origin=None, query=f"?site_id={site_b.site.id}"
    )
    assert for_b.status == 200, for_b.body
    sent = await visitor.call("send_message", {"client_id": "c-1", "text": "hi"})

    ack = await _agent_send(
        base_url, token, sent["message"]["conversation_id"], for_b.attachment["ref"]
    )

    assert (ack["ok"], ack["code"]) == (False, "forbidden")


async def _agent_send(base_url, token, conversation_id, ref):
    from tests.support.sockets import RecordingClient

    client = RecordingClient("/agent")
    await client.connect(base_url, {"token": token})
    try:
        return await client.call(
            "send_message",
            {"conversation_id": conversation_id, "client_id": "a-b", "attachments": [{"ref": ref}]},
        )
    finally:
        await client.close()


async def test_forged_and_expired_references_are_refused(visitor, upload, tenant):
    real = (await upload(pictures.png())).attachment
    head, payload, _ = real["ref"].split(".")
    forged = f"{head}.{payload}.c2lnbmF0dXJl"
    someone = TokenSigner("another-secret-" + "y" * 40)
    foreign = someone.issue("attachment", visitor.session["visitor_id"], 600, att={"url": "x"})
    an_hour_ago = TokenSigner(SECRET, clock=lambda: time.time() - 7200)
    expired = an_hour_ago.issue(
        "attachment",
        visitor.session["visitor_id"],
        3600,
        site=tenant.site.id,
        by="visitor",
        att={"url": "/uploads/1/x.png", "type": "image/png", "bytes": 1},
    )
    not_a_ref = TokenSigner(SECRET).issue(
        "visitor", visitor.session["visitor_id"], 600, site=tenant.site.id
    )

    for number, ref in enumerate([forged, foreign, expired, not_a_ref, "x" * 5000]):
        ack = await visitor.call(
            "send_message", {"client_id": f"c-{number}", "text": "", "attachments": [{"ref": ref}]}
        )
        assert ack["ok"] is False, ref
        assert ack["code"] == "invalid"
    history = await visitor.call("history", {})
    assert history["messages"] == []  # nothing was stored, no conversation was opened


@pytest.mark.parametrize(
    ("attachments", "code"),
    [
        ([{"url": "javascript:alert(1)"}], "invalid"),
        ("not a list", "invalid"),
        ([{"ref": 42}], "invalid"),
        ([{"ref": "r"}] * 11, "too_long"),
    ],
)
async def test_malformed_attachments_are_refused(visitor, attachments, code):
    ack = await visitor.call(
        "send_message", {"client_id": "c-bad", "text": "x", "attachments": attachments}
    )
    assert (ack["ok"], ack["code"]) == (False, code)


async def test_a_message_with_neither_text_nor_attachments_is_still_empty(visitor):
    ack = await visitor.call("send_message", {"client_id": "c-e", "text": "  ", "attachments": []})
    assert (ack["ok"], ack["code"]) == (False, "invalid")


# --- how often --------------------------------------------------------------------------


async def test_a_visitor_may_upload_only_so_often(app, upload):
    app[uploads_key].limits = UploadLimits(per_visitor=3, per_ip=100)

    answers = [await upload(pictures.png()) for _ in range(4)]

    assert [a.status for a in answers] == [200, 200, 200, 429]
    assert answers[-1].code == "rate_limited"
    assert "at most 3 every 10 minutes" in answers[-1].body["error"]


async def test_refused_uploads_count_against_the_limit(app, upload):
    app[uploads_key].limits = UploadLimits(per_visitor=2, per_ip=100)

    answers = [await upload(data) for data in (b"junk", b"junk", pictures.png())]

    assert [a.status for a in answers] == [415, 415, 429]


async def test_many_visitors_from_one_address_share_a_limit(
    app, base_url, tenant, visitor, socket_client
):
    app[uploads_key].limits = UploadLimits(per_visitor=10, per_ip=3)
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A}
    tokens = [visitor.token]
    for _ in range(3):
        other = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
        tokens.append((await other.next("session"))["visitor_token"])

    answers = [await post_file(base_url, pictures.png(), token=token) for token in tokens]

    assert [a.status for a in answers] == [200, 200, 200, 429]
