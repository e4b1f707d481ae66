"""Typing previews over real sockets: what a visitor types reaches agents as it is typed,
masked, rate-limited, never after the message, and never in the way of the message."""

from __future__ import annotations

import asyncio

from server.keys import typing_key
from server.services.chat.typing import PREVIEW_CHARS
from tests.typing.conftest import drain

PREVIEWS_PER_SECOND = 12  # the default typing_visitor rate limit

CARD = "4242 4242 4242 4242"


async def test_agents_see_each_preview_of_a_visitor_with_where_it_belongs(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    await visitor.call("send_message", {"client_id": "c-1", "text": "first"})
    conversation_id = (await agent_a.next("message"))["conversation_id"]

    for seq, text in enumerate(["H", "Hello", "Hello World"], start=1):
        ack = await visitor.call("typing_preview", {"text": text, "seq": seq})
        assert ack == {"ok": True, "shown": True}

    previews = [await agent_a.next("visitor_typing_preview") for _ in range(3)]
    assert [p["text"] for p in previews] == ["H", "Hello", "Hello World"]
    assert previews[-1] == {
        "conversation_id": conversation_id,
        "visitor_id": visitor.session["visitor_id"],
        "site_id": tenant_a.site.id,
        "text": "Hello World",
    }


async def test_a_visitor_without_a_conversation_yet_is_previewed_by_visitor_id(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)

    await visitor.call("typing_preview", {"text": "Do you", "seq": 1})

    preview = await agent_a.next("visitor_typing_preview")
    assert preview["conversation_id"] is None
    assert preview["visitor_id"] == visitor.session["visitor_id"]


async def test_card_numbers_e_mails_and_phones_are_masked_on_the_server_too(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    raw = f"card {CARD}, mail ana@example.com, call +49 171 1234567 ok"

    await visitor.call("typing_preview", {"text": raw, "seq": 1})

    text = (await agent_a.next("visitor_typing_preview"))["text"]
    assert text == "card •••• •••• •••• ••••, mail •••@•••••••.•••, call +•• ••• ••••••• ok"


async def test_stopping_clears_the_preview(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    await visitor.call("typing_preview", {"text": "Hello", "seq": 1})
    await agent_a.next("visitor_typing_preview")

    assert (await visitor.call("stop_typing_preview", {}))["ok"] is True

    cleared = await agent_a.next("visitor_typing_cleared")
    assert cleared["visitor_id"] == visitor.session["visitor_id"]


async def test_an_empty_draft_clears_the_preview(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    await visitor.call("typing_preview", {"text": "Hello", "seq": 1})
    await agent_a.next("visitor_typing_preview")

    ack = await visitor.call("typing_preview", {"text": "", "seq": 2})

    assert ack == {"ok": True, "shown": False}
    assert (await agent_a.next("visitor_typing_cleared"))["site_id"] == tenant_a.site.id


async def test_sending_the_message_clears_the_preview_after_the_message(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    await visitor.call("typing_preview", {"text": "Hello World", "seq": 1})
    await agent_a.next("visitor_typing_preview")

    await visitor.call("send_message", {"client_id": "c-1", "text": "Hello World"})

    await agent_a.next("visitor_typing_cleared")
    names = [name for name, _ in agent_a.seen]
    assert names.index("message") < names.index("visitor_typing_cleared")


async def test_an_older_preview_is_dropped_not_shown_after_a_newer_one(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)

    newer = await visitor.call("typing_preview", {"text": "Hello World", "seq": 5})
    older = await visitor.call("typing_preview", {"text": "Hello", "seq": 4})
    again = await visitor.call("typing_preview", {"text": "Hello World", "seq": 5})

    assert newer["shown"] is True
    assert older == {"ok": True, "shown": False}
    assert again == {"ok": True, "shown": False}
    assert (await agent_a.next("visitor_typing_preview"))["text"] == "Hello World"
    assert await agent_a.nothing("visitor_typing_preview")


async def test_previews_in_flight_when_the_message_is_sent_are_dropped(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    await visitor.call("typing_preview", {"text": "Hel", "seq": 1})
    await agent_a.next("visitor_typing_preview")

    # Emitted back to back, as a fast typist's widget would: the last previews are still
    # being handled when the message arrives; none of them may be shown after it.
    for seq in range(2, 40):
        await visitor.sio.emit(
            "typing_preview", {"text": "Hello"[: seq % 5 + 1], "seq": seq}, namespace="/visitor"
        )
    ack = await visitor.call("send_message", {"client_id": "c-1", "text": "Hello"})
    assert ack["ok"] is True

    await agent_a.next("visitor_typing_cleared")
    names = [name for name, _ in agent_a.seen]
    after_message = names[names.index("message") :]
    assert "visitor_typing_preview" not in after_message


async def test_a_flood_of_previews_is_cut_down_and_the_message_gets_through(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    sent = 500
    assert (await visitor.call("typing_preview", {"text": "x", "seq": 1}))["shown"] is True

    for seq in range(2, sent + 1):
        await visitor.sio.emit(
            "typing_preview", {"text": "x" * (seq % 50 + 1), "seq": seq}, namespace="/visitor"
        )
    ack = await visitor.call("send_message", {"client_id": "c-flood", "text": "real message"})

    assert ack["ok"] is True
    assert (await agent_a.next("message"))["text"] == "real message"
    shown_before_message = [name for name, _ in agent_a.seen].count("visitor_typing_preview")
    # At most one rate-limit window's worth on each side of a window boundary reached the
    # agent ahead of the message: the flood was dropped, not queued in front of it.
    assert shown_before_message <= 2 * PREVIEWS_PER_SECOND
    await agent_a.next("visitor_typing_cleared")
    names = [name for name, _ in agent_a.seen]
    assert "visitor_typing_preview" not in names[names.index("message") :]


async def test_the_rate_limit_refuses_previews_beyond_the_budget(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)

    acks = [
        await visitor.call("typing_preview", {"text": f"draft {n}", "seq": n})
        for n in range(1, 3 * PREVIEWS_PER_SECOND)
    ]

    refused = [a for a in acks if not a["ok"]]
    assert refused and {a["code"] for a in refused} == {"rate_limited"}
    shown = [a for a in acks if a["ok"]]
    forwarded = await drain(agent_a, "visitor_typing_preview")
    await asyncio.sleep(0)
    assert len(forwarded) <= len(shown)


async def test_a_preview_is_cleared_by_itself_after_a_quiet_spell(
    app, agent_a, tenant_a, visitor_of
):
    app[typing_key].clear_after = 0.3
    visitor = await visitor_of(tenant_a)

    await visitor.call("typing_preview", {"text": "Hello", "seq": 1})
    await agent_a.next("visitor_typing_preview")

    cleared = await agent_a.next("visitor_typing_cleared")
    assert cleared["visitor_id"] == visitor.session["visitor_id"]


async def test_each_new_preview_pushes_the_quiet_spell_back(app, agent_a, tenant_a, visitor_of):
    app[typing_key].clear_after = 0.6
    visitor = await visitor_of(tenant_a)

    for seq in range(1, 5):
        await visitor.call("typing_preview", {"text": "Hello"[:seq], "seq": seq})
        await asyncio.sleep(0.25)  # shorter than the quiet spell each time

    events = [name for name, _ in agent_a.seen if name.startswith("visitor_typing")]
    assert events == ["visitor_typing_preview"] * 4
    await agent_a.next("visitor_typing_cleared")


async def test_a_closed_tab_clears_its_preview(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    await visitor.call("typing_preview", {"text": "Hello", "seq": 1})
    await agent_a.next("visitor_typing_preview")

    await visitor.close()

    assert (await agent_a.next("visitor_typing_cleared"))["site_id"] == tenant_a.site.id


async def test_a_site_with_previews_off_shows_typing_without_the_words(
    agent_a, tenant_a, visitor_of, site_options
):
    await site_options(tenant_a, typing_preview=False)
    visitor = await visitor_of(tenant_a)
    assert visitor.session["site"]["widget"]["typing_preview"] is False

    # An old widget that still sends text: the server drops it.
    await visitor.call("typing_preview", {"text": "my secret draft", "seq": 1})
    await visitor.call("typing_preview", {"seq": 2})

    first = await agent_a.next("visitor_typing_preview")
    second = await agent_a.next("visitor_typing_preview")
    assert first["text"] is None and second["text"] is None


async def test_a_long_draft_is_previewed_by_its_end(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    draft = "a" * 3000 + " the end"

    await visitor.call("typing_preview", {"text": draft, "seq": 1})

    text = (await agent_a.next("visitor_typing_preview"))["text"]
    assert len(text) == PREVIEW_CHARS
    assert text.startswith("…") and text.endswith(" the end")


async def test_malformed_previews_get_a_clear_error_and_the_connection_stays(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)

    bad = [
        ("not an object", "invalid"),
        ({"text": 42, "seq": 1}, "invalid"),
        ({"text": "hi", "seq": -1}, "invalid"),
        ({"text": "hi", "seq": "1"}, "invalid"),
        ({"text": "x" * 5001, "seq": 1}, "too_long"),
    ]
    for payload, code in bad:
        ack = await visitor.call("typing_preview", payload)
        assert ack["ok"] is False and ack["code"] == code, payload

    assert await agent_a.nothing("visitor_typing_preview")
    assert (await visitor.call("typing_preview", {"text": "fine", "seq": 1}))["shown"] is True


async def test_previews_of_one_site_never_reach_another_sites_agents(
    agent_a, tenant_a, tenant_b, visitor_of
):
    from tests.realtime.conftest import SHOP_B

    visitor_b = await visitor_of(tenant_b, origin=SHOP_B, page=None)

    await visitor_b.call("typing_preview", {"text": "secret of B", "seq": 1})

    assert await agent_a.nothing("visitor_typing_preview")


async def test_previews_sent_without_an_ack_as_the_widget_does_reach_agents_masked(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    await visitor.call("typing_preview", {"text": "Hi", "seq": 1})  # the burst starts
    await agent_a.next("visitor_typing_preview")

    async def send(payload):  # no ack asked for, as the widget sends them
        await visitor.sio.emit("typing_preview", payload, namespace="/visitor")

    await send({"text": "mail ana@example.com", "seq": 2})
    assert (await agent_a.next("visitor_typing_preview"))["text"] == "mail •••@•••••••.•••"
    await send("not an object")
    await send({"text": None, "seq": 3})
    assert (await agent_a.next("visitor_typing_preview"))["text"] is None
    # The malformed one was dropped and the connection stayed.
    assert (await visitor.call("typing_preview", {"text": "ok", "seq": 4}))["shown"] is True


async def test_previews_taken_where_their_frame_is_read_are_counted_in_the_metrics(
    base_url, agent_a, tenant_a, visitor_of
):
    from tests.ops.test_metrics import samples, scrape, value

    visitor = await visitor_of(tenant_a)
    await visitor.call("typing_preview", {"text": "Hi", "seq": 1})  # the burst starts
    await agent_a.next("visitor_typing_preview")
    before = samples((await scrape(base_url))[1])

    for seq, draft in enumerate(["Hi t", "Hi th", "Hi the"], start=2):
        payload = {"text": draft, "seq": seq}  # no ack asked for, as the widget sends them
        await visitor.sio.emit("typing_preview", payload, namespace="/visitor")
        assert (await agent_a.next("visitor_typing_preview"))["text"] == draft

    after = samples((await scrape(base_url))[1])

    def grew(name: str) -> float:
        event = "visitor.typing_preview"
        return value(after, name, event=event) - value(before, name, event=event)

    assert grew("porchlight_event_seconds_count") == 3
    assert grew("porchlight_event_seconds_sum") > 0
