"""A visitor's data: exported as JSON (never a private note) and erased (files gone from
disk, messages kept as "Deleted visitor", the visitor token no longer recognised), by
admins and owners only, written to the audit log."""

from __future__ import annotations

import aiohttp

from server.domain import Attachment, Author, AuthorKind, Message, MessageKind
from server.keys import console_key, message_store_key, settings_key
from tests.console.conftest import SHOP_A, browser_session, csrf_of
from tests.support.sockets import RecordingClient

NAME = "A" * 32 + ".png"


async def _visitor_with_a_chat(app, team, base_url):
    visitor = await RecordingClient("/visitor").connect(
        base_url, {"site_key": team.site.site_key}, {"Origin": SHOP_A}
    )
    session = await visitor.next("session")
    uploads = app[settings_key].uploads_dir / str(team.site.id)
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / NAME).write_bytes(b"\x89PNG image")
    (uploads / ("A" * 32 + "-t.webp")).write_bytes(b"RIFF thumb")
    asked = await visitor.call("send_message", {"client_id": "c-1", "text": "my order 42"})
    assert asked["ok"], asked
    store = app[message_store_key]
    conversation_id = asked["message"]["conversation_id"]
    image = Attachment(
        url=f"/uploads/{team.site.id}/{NAME}", type="image/png", bytes=11, storage="disk", name=NAME
    )
    for kind, author, text, files in (
        (
            MessageKind.MESSAGE,
            Author(AuthorKind.VISITOR, session["visitor_id"], "Ana"),
            "",
            (image,),
        ),
        (MessageKind.NOTE, Author(AuthorKind.AGENT, "1", "Dana"), "SECRET note", ()),
    ):
        await store.append_message(
            Message(
                store.new_id(),
                conversation_id,
                team.site.id,
                author,
                text,
                f"c-{store.new_id()}",
                attachments=files,
                kind=kind,
            )
        )
    return visitor, session, uploads


async def test_export_and_erase_a_visitor(app, team, api, base_url) -> None:
    visitor, session, uploads = await _visitor_with_a_chat(app, team, base_url)
    visitor_id = session["visitor_id"]
    path = f"/api/v1/sites/{team.site.id}/visitors/{visitor_id}"

    status, body = await api.request("GET", f"{path}/export", team.admin.token)
    assert status == 200, body
    export = body["export"]
    assert export["visitor"]["id"] == visitor_id
    assert [m["text"] for m in export["messages"]] == ["my order 42", ""]
    assert "SECRET" not in str(export)  # a private note is never in a visitor's export
    assert [a["name"] for a in export["attachments"]] == [NAME]
    assert len(export["page_views"]) >= 0 and len(export["conversations"]) == 1

    status, body = await api.request("DELETE", path, team.agent.token)
    assert (status, body["code"]) == (403, "forbidden")
    assert (uploads / NAME).exists()

    status, body = await api.request("DELETE", path, team.admin.token)
    assert status == 200, body
    assert body["erased"]["files_deleted"] == 1
    assert not (uploads / NAME).exists() and not (uploads / ("A" * 32 + "-t.webp")).exists()
    store = app[message_store_key]
    assert await store.get_visitor(team.site.id, visitor_id) is None
    history = await store.list_messages(team.site.id, export["conversations"][0]["id"])
    assert {m.author.name for m in history if m.author.kind is AuthorKind.VISITOR} == {
        "Deleted visitor"
    }
    status, body = await api.request("GET", f"{path}/export", team.admin.token)
    assert (status, body["code"]) == (404, "not_found")

    # The erased visitor's token names no one: the widget starts over as a new visitor.
    await visitor.close()
    again = await RecordingClient("/visitor").connect(
        base_url,
        {"site_key": team.site.site_key, "visitor_token": session["visitor_token"]},
        {"Origin": SHOP_A},
    )
    assert (await again.next("session"))["visitor_id"] != visitor_id
    await again.close()

    status, body = await api.request("GET", f"/api/v1/sites/{team.site.id}/audit", team.owner.token)
    actions = [entry["action"] for entry in body["entries"]]
    assert "visitor.exported" in actions and "visitor.erased" in actions


async def test_the_privacy_page_sets_retention_exports_and_erases(app, team, base_url) -> None:
    visitor, session, uploads = await _visitor_with_a_chat(app, team, base_url)
    await visitor.close()
    page = f"{base_url}/dashboard/settings/{team.site.id}/privacy"
    async with await browser_session(base_url, team.agent.email) as http, http.get(page) as r:
        assert r.status == 403  # agents do not handle visitors' data
    async with await browser_session(base_url, team.admin.email) as http:
        async with http.get(page) as r:
            html = await r.text()
            assert r.status == 200 and "Keep data for" in html
        token = csrf_of(html)
        form = {"_action": "set_retention", "days": "90", "csrf_token": token}
        async with http.post(page, data=form) as r:
            assert "Saved. The next cleanup" in await r.text()
        assert await app[console_key].console.retention.get(team.site.id) == {"days": 90}

        async with http.get(f"{page}/export", params={"visitor_id": session["visitor_id"]}) as r:
            assert r.status == 200
            assert "attachment" in r.headers["Content-Disposition"]
            assert (await r.json())["visitor"]["id"] == session["visitor_id"]

        form = {
            "_action": "erase_visitor",
            "visitor_id": session["visitor_id"],
            "csrf_token": token,
        }
        async with http.post(page, data=form) as r:
            assert "Visitor erased" in await r.text()
        assert await app[message_store_key].get_visitor(team.site.id, session["visitor_id"]) is None
        assert not (uploads / NAME).exists()


async def test_a_sites_api_key_exports_and_erases_its_visitors(app, team, api, base_url) -> None:
    """The site's own backend answers a visitor's request for their data with its key."""
    visitor, session, uploads = await _visitor_with_a_chat(app, team, base_url)
    visitor_id = session["visitor_id"]
    _, made = await api.request(
        "POST", f"/api/v1/sites/{team.site.id}/keys/primary", team.owner.token
    )
    key = made["key"]
    _, other = await api.request(
        "POST", f"/api/v1/sites/{team.other_site.id}/keys/primary", team.other_owner.token
    )
    conversation_id = (await visitor.call("history", {}))["messages"][0]["conversation_id"]
    status, _ = await api.request("POST", f"/api/v1/conversations/{conversation_id}/resolve", key)
    assert status == 200
    rated = await visitor.call(
        "rate_conversation", {"conversation_id": conversation_id, "score": "good"}
    )
    assert rated["ok"], rated
    path = f"/api/v1/sites/{team.site.id}/visitors/{visitor_id}"

    status, body = await api.request("GET", f"{path}/export", key)
    assert status == 200, body
    assert body["export"]["visitor"]["id"] == visitor_id
    assert body["export"]["conversations"][0]["rating"]["score"] == "good"
    assert "SECRET" not in str(body)
    # A key is for its own site, and manages nothing else there.
    status, body = await api.request("GET", f"{path}/export", other["key"])
    assert (status, body["code"]) == (403, "forbidden")
    status, body = await api.request("GET", f"/api/v1/sites/{team.site.id}/team", key)
    assert (status, body["code"]) == (403, "forbidden")

    status, body = await api.request("DELETE", path, key)
    assert status == 200, body
    assert body["erased"]["files_deleted"] == 1
    assert not (uploads / NAME).exists()
    assert await app[message_store_key].get_visitor(team.site.id, visitor_id) is None
    status, body = await api.request("DELETE", path, key)
    assert (status, body["code"]) == (404, "not_found")

    status, body = await api.request("GET", f"/api/v1/sites/{team.site.id}/audit", team.owner.token)
    by_key = [e for e in body["entries"] if e["action"] in ("visitor.exported", "visitor.erased")]
    assert {e["detail"]["api_key"] for e in by_key} == {"API key (primary)"}
    await visitor.close()


async def test_export_and_erase_are_in_the_api_document(base_url) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{base_url}/api/openapi.json") as r:
        paths = (await r.json())["paths"]
    visitor = "/api/v1/sites/{site_id}/visitors/{visitor_id}"
    assert "get" in paths[f"{visitor}/export"] and "delete" in paths[visitor]
