"""A backend answers with an API key: the visitor's widget shows the reply at once; every
change of the chat header works the same; retries with an Idempotency-Key do nothing twice."""

from __future__ import annotations

from server.keys import message_store_key


async def test_an_api_key_answers_and_the_widget_shows_it_live(desk, widget):
    visitor = await widget(desk)
    path = f"/api/v1/conversations/{visitor.conversation_id}/messages"

    status, body, _ = await desk.call("POST", path, {"text": "Yes, 3000 mm.", "author_name": "Bot"})

    assert status == 200, body
    shown = await visitor.next("message")
    assert shown["text"] == "Yes, 3000 mm." and shown["author"]["name"] == "Bot"
    assert shown["id"] == body["message"]["id"]
    status, body, _ = await desk.call("POST", path, {"text": "Anything else?"})
    assert (await visitor.next("message"))["author"]["name"] == "Acme"  # no team name: the site
    status, history, _ = await desk.call("GET", path)
    assert [m["text"] for m in history["messages"]] == [
        "is the tent waterproof?",
        "Yes, 3000 mm.",
        "Anything else?",
    ]


async def test_notes_stay_with_the_team_and_changes_reach_the_visitor(desk, widget, app):
    visitor = await widget(desk)
    conversation = f"/api/v1/conversations/{visitor.conversation_id}"

    status, note, _ = await desk.call("POST", f"{conversation}/notes", {"text": "VIP customer"})
    assert status == 200 and note["message"]["kind"] == "note"
    assert await visitor.nothing("message")

    await desk.call("POST", f"{conversation}/resolve")
    line = await visitor.next("message")
    assert line["kind"] == "event" and line["text"] == "Acme resolved the conversation"
    status, body, _ = await desk.call("POST", f"{conversation}/reopen")
    assert status == 200 and body["conversation"]["status"] == "open"
    status, body, _ = await desk.call(
        "POST", f"{conversation}/assign", {"assignee_id": desk.tenant.agent.id}
    )
    assert status == 200 and body["conversation"]["assignee_id"] == desk.tenant.agent.id
    status, body, _ = await desk.call("POST", f"{conversation}/tags", {"add": ["nope"]})
    assert status == 400 and "not a tag of this site" in body["error"]


async def test_the_same_idempotency_key_sends_once(desk, widget, app):
    visitor = await widget(desk)
    path = f"/api/v1/conversations/{visitor.conversation_id}/messages"
    retry = {"Idempotency-Key": "order-42-reply"}

    first = await desk.call("POST", path, {"text": "Shipped today."}, headers=retry)
    again = await desk.call("POST", path, {"text": "Shipped today."}, headers=retry)

    assert first[0] == again[0] == 200
    assert first[1] == again[1]
    assert again[2].get("Idempotent-Replayed") == "true"
    assert (await visitor.next("message"))["text"] == "Shipped today."
    assert await visitor.nothing("message")
    store = app[message_store_key]
    stored = await store.list_messages(desk.tenant.site.id, visitor.conversation_id, limit=10)
    assert [m.text for m in stored].count("Shipped today.") == 1

    status, body, _ = await desk.call("POST", path, {"text": "Something else"}, headers=retry)
    assert status == 422 and body["code"] == "idempotency_key_reused"
    status, body, _ = await desk.call(
        "POST", path, {"text": "x"}, headers={"Idempotency-Key": "a b"}
    )
    assert status == 400 and body["ok"] is False


async def test_pages_follow_next_cursor_and_errors_have_one_shape(desk, widget):
    visitor = await widget(desk)
    path = f"/api/v1/conversations/{visitor.conversation_id}/messages"
    for n in range(4):
        await desk.call("POST", path, {"text": f"line {n}", "client_id": f"line-{n}"})

    seen, cursor = [], None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        status, page, _ = await desk.call("GET", path + query)
        assert status == 200
        seen = [m["text"] for m in page["messages"]] + seen
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["is the tent waterproof?"] + [f"line {n}" for n in range(4)]

    status, body, _ = await desk.call(
        "GET", "/api/v1/conversations/01JDX3V6T5G2W8R4M9N0P7Q1ZA/messages"
    )
    assert status == 404 and body == {
        "ok": False,
        "error": "no such conversation",
        "code": "not_found",
    }
    status, body, _ = await desk.call("POST", path, {"text": "hi", "colour": "red"})
    assert status == 400 and body["fields"] == {"colour": "colour is not a field of this request"}
    status, body, _ = await desk.call("POST", path, {"text": "hi"}, key="pl_key_made-up")
    assert status == 401 and body["code"] == "unauthenticated"


async def test_an_agent_writes_under_their_own_name(desk, widget, base_url):
    from tests.realtime.conftest import login_token

    visitor = await widget(desk)
    token = await login_token(base_url, desk.tenant.email)
    path = f"/api/v1/conversations/{visitor.conversation_id}/messages"
    status, body, _ = await desk.call("POST", path, {"text": "hi", "author_name": "X"}, key=token)
    assert status == 400 and "author_name" in body["fields"]
    status, body, _ = await desk.call("POST", path, {"text": "Hello!"}, key=token)
    assert status == 200 and body["message"]["author"]["name"] == "Acme agent"
