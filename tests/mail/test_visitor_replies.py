"""Replies e-mailed to a visitor who left, with a link that reopens the chat and an
unsubscribe link that works; transcripts on request. A real SMTP server reads them."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

import aiohttp

from server.keys import visitors_key
from tests.mail.conftest import BATCH_SECONDS


async def away_visitor(app, tenant, visitor_of, email="Ana@Example.com"):
    """A visitor who wrote, left their address, and closed the page."""
    visitor = await visitor_of(tenant)
    assert (await visitor.call("identify", {"email": email}))["ok"]
    sent = await visitor.call("send_message", {"client_id": "v-1", "text": "Do you ship <tents>?"})
    assert sent["ok"], sent
    visitor_id = visitor.session["visitor_id"]
    await visitor.close()
    for _ in range(100):
        if not await app[visitors_key].is_online(tenant.site.id, visitor_id):
            break
        await asyncio.sleep(0.02)
    return visitor_id, sent["message"]["conversation_id"]


async def reply(agent, conversation_id: str, text: str, n: int = 0) -> None:
    ack = await agent.call(
        "send_message", {"conversation_id": conversation_id, "client_id": f"a-{n}", "text": text}
    )
    assert ack["ok"], ack


def link_in(text: str, marker: str) -> str:
    found = re.search(r"(https?://\S*" + re.escape(marker) + r"\S*)", text)
    assert found, f"no {marker} link in:\n{text}"
    return found.group(1)


async def test_a_burst_of_replies_to_a_visitor_who_left_is_one_email_with_a_chat_link(
    app, tenant_a, visitor_of, agent_a, smtp
) -> None:
    visitor_id, conversation_id = await away_visitor(app, tenant_a, visitor_of)
    await reply(agent_a, conversation_id, "Yes, to all of Europe.", 1)
    await reply(agent_a, conversation_id, "Delivery takes <3> days.", 2)

    [mail] = await smtp.wait_for(1)
    await asyncio.sleep(BATCH_SECONDS * 1.5)
    assert len(smtp.arrived) == 1  # the burst is one e-mail
    assert mail.recipients == ["ana@example.com"]
    assert mail.subject == "Shop A: 2 new replies"
    text, html = mail.body("plain"), mail.body("html")
    assert "Do you ship <tents>?" in text  # the visitor's own words as context
    assert "Yes, to all of Europe." in text and "Delivery takes <3> days." in text
    assert "Delivery takes &lt;3&gt; days." in html
    chat_link = link_in(text, "porchlight_chat=")
    assert chat_link.startswith("http://shop-a.test/tents?porchlight_chat=")  # their last page
    unsubscribe = link_in(text, "/mail/unsubscribe")
    assert mail.message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The link's token, sent by the widget of another browser, brings the chat back.
    token = parse_qs(urlsplit(chat_link).query)["porchlight_chat"][0]
    back = await visitor_of(tenant_a, resume=token)
    assert back.session["visitor_id"] == visitor_id
    assert [m["text"] for m in back.session["messages"]] == [
        "Do you ship <tents>?",
        "Yes, to all of Europe.",
        "Delivery takes <3> days.",
    ]
    # A forged token is no one: a new visitor, no history.
    stranger = await visitor_of(tenant_a, resume=token[:-4] + "AAAA")
    assert stranger.session["visitor_id"] != visitor_id and stranger.session["messages"] == []


async def test_the_unsubscribe_link_works_in_one_click_and_is_honoured(
    app, base_url, tenant_a, visitor_of, agent_a, smtp
) -> None:
    _, conversation_id = await away_visitor(app, tenant_a, visitor_of)
    await reply(agent_a, conversation_id, "Hello!", 1)
    [mail] = await smtp.wait_for(1)
    unsubscribe = link_in(mail.body("plain"), "/mail/unsubscribe")
    assert unsubscribe.startswith("https://chat.shop-a.test/mail/unsubscribe?t=")
    path = unsubscribe.removeprefix("https://chat.shop-a.test")

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base_url}{path}") as r:
            page = await r.text()
            assert r.status == 200 and "You are unsubscribed" in page
            assert "ana@example.com" in page and "Shop A" in page
        # A mail program's one-click POST says the same; a forged link is refused.
        async with http.post(f"{base_url}{path}", data={"List-Unsubscribe": "One-Click"}) as r:
            assert r.status == 200
        async with http.get(f"{base_url}/mail/unsubscribe?t=forged") as r:
            assert r.status == 400 and "not valid" in await r.text()

    await reply(agent_a, conversation_id, "Are you still there?", 2)
    await asyncio.sleep(BATCH_SECONDS * 1.5)
    assert len(smtp.arrived) == 1  # nothing more after unsubscribing
    refused = await agent_a.call("send_transcript", {"conversation_id": conversation_id})
    assert refused["ok"] is False and "unsubscribed" in refused["error"]


async def test_no_email_while_the_visitor_is_on_the_site_or_without_an_address(
    app, tenant_a, visitor_of, agent_a, smtp
) -> None:
    here = await visitor_of(tenant_a)
    assert (await here.call("identify", {"email": "here@example.com"}))["ok"]
    sent = await here.call("send_message", {"client_id": "h", "text": "Hi"})
    await reply(agent_a, sent["message"]["conversation_id"], "Hi, here!", 1)
    nameless = await visitor_of(tenant_a)
    sent = await nameless.call("send_message", {"client_id": "n", "text": "Hi"})
    await nameless.close()
    await asyncio.sleep(0.2)
    await reply(agent_a, sent["message"]["conversation_id"], "Hi, nameless!", 2)
    await asyncio.sleep(BATCH_SECONDS * 1.5)
    assert smtp.arrived == []


async def test_a_reply_read_on_the_site_before_the_mail_goes_is_not_mailed(
    app, tenant_a, visitor_of, agent_a, smtp
) -> None:
    visitor = await visitor_of(tenant_a)
    assert (await visitor.call("identify", {"email": "cy@example.com"}))["ok"]
    sent = await visitor.call("send_message", {"client_id": "c", "text": "Hello?"})
    own_token = visitor.session["visitor_token"]
    await visitor.close()
    await asyncio.sleep(0.3)
    await reply(agent_a, sent["message"]["conversation_id"], "Hello again", 1)

    # The visitor comes back within the wait and reads the reply in the widget.
    back = await visitor_of(tenant_a, token=own_token)
    newest = back.session["messages"][-1]
    assert newest["text"] == "Hello again"
    assert (await back.call("mark_read", {"up_to": newest["id"]}))["ok"]
    await asyncio.sleep(BATCH_SECONDS * 1.5)
    assert smtp.arrived == []


async def test_transcripts_from_the_widget_and_from_the_dashboard(
    tenant_a, visitor_of, agent_a, smtp
) -> None:
    visitor = await visitor_of(tenant_a)
    none_yet = await visitor.call("email_transcript", {"email": "bo@example.com"})
    assert none_yet["ok"] is False and "no conversation" in none_yet["error"]
    sent = await visitor.call("send_message", {"client_id": "t", "text": "Where is my order?"})
    conversation_id = sent["message"]["conversation_id"]
    bad = await visitor.call("email_transcript", {"email": "not an address"})
    assert bad["ok"] is False and "e-mail address" in bad["error"]

    asked = await visitor.call("email_transcript", {"email": "Bo@Example.com"})
    assert asked == {"ok": True, "email": "bo@example.com"}
    [mail] = await smtp.wait_for(1)
    assert mail.recipients == ["bo@example.com"]
    assert mail.subject == "Your conversation with Shop A"
    assert "Where is my order?" in mail.body("plain")

    # An agent sends it again from the conversation (the address is the visitor's now).
    sent = await agent_a.call("send_transcript", {"conversation_id": conversation_id})
    assert sent == {"ok": True, "email": "bo@example.com"}
    await smtp.wait_for(2)
    assert smtp.arrived[1].recipients == ["bo@example.com"]
