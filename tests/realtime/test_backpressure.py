"""Past the messages a node handles at once, the next visitor message is told to come back:
answered ``busy`` with a time to retry, stored nothing, and taken when sent again. The ones
already admitted are answered once they are stored."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.keys import metrics_key, sio_key
from tests.realtime.conftest import PAGE_A, SHOP_A
from tests.realtime.raw_frames import RawSocket
from tests.support.apps import seed_tenant
from tests.support.waiting import until


@pytest.fixture
async def stage(embedded_settings, aiohttp_server):
    settings = embedded_settings.with_(messages_in_progress=2)
    app = create_app(settings)
    server = await aiohttp_server(app)
    tenant = await seed_tenant(app, "Shop A", [SHOP_A])
    return app, settings, tenant, str(server.make_url("")).rstrip("/")


def visitor_auth(tenant) -> dict:
    return {"site_key": tenant.site.site_key, "page": PAGE_A, "device": {"language": "en"}}


async def two_visitors(stage, socket_client) -> tuple:
    """Two visitors of shop A, each with their session."""
    _, _, tenant, base_url = stage
    first = await socket_client("/visitor", base_url, visitor_auth(tenant), {"Origin": SHOP_A})
    second = await socket_client("/visitor", base_url, visitor_auth(tenant), {"Origin": SHOP_A})
    await first.next("session")
    await second.next("session")
    return first, second


async def test_a_message_past_the_bound_is_told_busy_and_taken_when_sent_again(
    stage, socket_client
):
    app, settings, _, _ = stage
    first, second = await two_visitors(stage, socket_client)
    sio = app[sio_key]

    # Another process holds the message store's write lock: admitted messages wait for it.
    holder = sqlite3.connect(settings.messages_db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiting = [
            asyncio.ensure_future(first.call("send_message", {"client_id": "a1", "text": "one"})),
            asyncio.ensure_future(second.call("send_message", {"client_id": "b1", "text": "two"})),
        ]
        await until(lambda: sio.in_progress == 2)
        refused = await second.call("send_message", {"client_id": "b2", "text": "three"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert refused["ok"] is False and refused["code"] == "busy", refused
    assert refused["retry_after"] > 0
    answered = await asyncio.gather(*waiting)
    assert [a["ok"] for a in answered] == [True, True], answered
    await until(lambda: sio.in_progress == 0)

    again = await second.call("send_message", {"client_id": "b2", "text": "three"})
    assert again["ok"] is True, again
    history = await second.call("history", {})
    assert [m["text"] for m in history["messages"]] == ["two", "three"]


async def _raw_visitor(http: aiohttp.ClientSession, base_url: str, auth: dict):
    """A visitor socket spoken to frame by frame, as a client other than ours may write."""
    ws = await http.ws_connect(
        base_url + "/socket.io/?EIO=4&transport=websocket", headers={"Origin": SHOP_A}
    )
    assert (await ws.receive_str(timeout=5)).startswith("0")
    await ws.send_str("40/visitor," + json.dumps(auth))
    while not (await ws.receive_str(timeout=5)).startswith('42/visitor,["session"'):
        pass
    return ws


async def _ack(ws, ack_id: int) -> list:
    prefix = f"43/visitor,{ack_id}["
    while True:
        frame = await ws.receive_str(timeout=5)
        if frame.startswith(prefix):
            return json.loads(frame[len(prefix) - 1 :])


async def test_past_the_bound_every_spelling_of_a_message_gets_the_same_busy_answer_and_other_events_still_work(  # noqa: E501
    stage, socket_client
):
    app, settings, tenant, base_url = stage
    auth = visitor_auth(tenant)
    first = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
    await first.next("session")
    sio = app[sio_key]
    async with aiohttp.ClientSession() as http:
        ws = await _raw_visitor(http, base_url, auth)
        holder = sqlite3.connect(settings.messages_db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            waiting = [
                asyncio.ensure_future(
                    first.call("send_message", {"client_id": f"a{n}", "text": "x"})
                )
                for n in range(2)
            ]
            await until(lambda: sio.in_progress == 2)
            # As our widget writes it (answered from the frame's first bytes), and spaced
            # out as another client might (answered once decoded): the same answer.
            await ws.send_str('42/visitor,7["send_message",{"client_id":"r1","text":"one"}]')
            await ws.send_str('42/visitor,8[ "send_message", {"client_id": "r2", "text": "two"}]')
            compact, spaced = await _ack(ws, 7), await _ack(ws, 8)
            # Reading history is not bounded: it is answered while messages wait.
            await ws.send_str('42/visitor,9["history",{}]')
            history = await _ack(ws, 9)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert compact == spaced
        assert compact[0]["code"] == "busy" and compact[0]["retry_after"] > 0, compact
        assert sio.refused_early == 1
        # Operators see both in the busy counter.
        scraped = text_string_to_metric_families(app[metrics_key].exposition().decode())
        values = {sample.name: sample.value for family in scraped for sample in family.samples}
        assert values["porchlight_messages_busy_total"] == 2
        assert history[0]["ok"] is True, history
        assert [a["ok"] for a in await asyncio.gather(*waiting)] == [True, True]
        await ws.close()


async def test_past_the_bound_messages_read_together_each_get_their_busy_answer_and_nothing_else_is_lost(  # noqa: E501
    stage, socket_client
):
    app, settings, tenant, base_url = stage
    auth = visitor_auth(tenant)
    first = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
    await first.next("session")
    sio = app[sio_key]
    ws = await RawSocket.open(base_url, "/socket.io/?EIO=4&transport=websocket", {"Origin": SHOP_A})
    assert (await ws.receive()).startswith("0")
    ws.send("40/visitor," + json.dumps(auth))
    while not (await ws.receive()).startswith('42/visitor,["session"'):
        pass
    holder = sqlite3.connect(settings.messages_db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiting = [
            asyncio.ensure_future(first.call("send_message", {"client_id": f"a{n}", "text": "x"}))
            for n in range(2)
        ]
        await until(lambda: sio.in_progress == 2)

        def message(n: int) -> str:
            return f'42/visitor,{n}["send_message",{{"client_id":"r{n}","text":"{n}"}}]'

        # Refused, refused, a history read (not bounded), refused after it: one write.
        ws.send(message(1), message(2), '42/visitor,3["history",{}]', message(4))
        acks: dict[int, list] = {}
        while len(acks) < 4:
            frame = await ws.receive()
            if frame.startswith("43/visitor,"):
                ack_id, _, body = frame[len("43/visitor,") :].partition("[")
                assert int(ack_id) not in acks, f"answered twice: {frame}"
                acks[int(ack_id)] = json.loads("[" + body)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [acks[n][0].get("code") for n in (1, 2, 4)] == ["busy"] * 3, acks
    assert acks[3][0]["ok"] is True, acks[3]
    assert sio.refused == 3
    assert [a["ok"] for a in await asyncio.gather(*waiting)] == [True, True]
    await until(lambda: sio.in_progress == 0)
    ws.send(message(5))
    while not (frame := await ws.receive()).startswith("43/visitor,5["):
        pass
    assert json.loads(frame[len("43/visitor,5") :])[0]["ok"] is True, frame
    ws.close()


async def test_the_longer_a_node_stays_past_its_bound_the_later_it_asks_visitors_to_come_back_up_to_ten_times_and_back_once_it_has_room(  # noqa: E501
    stage, socket_client
):
    app, settings, _, _ = stage
    first, second = await two_visitors(stage, socket_client)
    sio = app[sio_key]

    def send(client, n: int):
        return client.call("send_message", {"client_id": f"m{n}", "text": str(n)})

    async def past_the_bound(start: int) -> list:
        holder.execute("BEGIN IMMEDIATE")
        waiting = [asyncio.ensure_future(send(first, start + n)) for n in range(2)]
        await until(lambda: sio.in_progress == 2)
        return waiting

    holder = sqlite3.connect(settings.messages_db_path, isolation_level=None)
    try:
        waiting = await past_the_bound(0)
        at_first = await asyncio.gather(*(send(second, 10 + n) for n in range(20)))
        await asyncio.sleep(1.1)  # a second in which nothing was admitted, 20 refused
        later = await send(second, 30)
        holder.execute("ROLLBACK")
        assert all(a["ok"] for a in await asyncio.gather(*waiting))
        for n in range(5):  # room again: each admitted at once
            assert (await send(second, 40 + n))["ok"] is True
        await asyncio.sleep(1.1)
        waiting = await past_the_bound(50)
        calmer = await send(second, 60)
        holder.execute("ROLLBACK")
        assert all(a["ok"] for a in await asyncio.gather(*waiting))
    finally:
        holder.close()

    assert {a["code"] for a in at_first} == {"busy"}
    assert {a["retry_after"] for a in at_first} == {1.0}
    assert later["code"] == "busy" and later["retry_after"] == 10.0, later
    assert calmer["code"] == "busy" and 1.0 <= calmer["retry_after"] < 2.0, calmer
