"""A widget whose socket closes while the server is still connecting it (a tab closed during
its first moments, a node beginning to shut down) is not left shown online."""

from __future__ import annotations

import asyncio
import json
import logging

from server.keys import auth_key, sio_key, visitors_key
from tests.realtime.conftest import PAGE_A, SHOP_A, login_token
from tests.support.raw_socket import RawSocket
from tests.support.waiting import until


async def test_a_visitor_whose_socket_closed_while_connecting_is_seen_to_leave(
    app, base_url, agent_a, tenant_a, monkeypatch
):
    visitors, eio = app[visitors_key], app[sio_key].eio
    connected, release = asyncio.Event(), asyncio.Event()
    connect = visitors.connect

    async def held(hello, peer):
        session = await connect(hello, peer)  # the arrival is recorded and announced
        connected.set()
        await release.wait()
        return session

    monkeypatch.setattr(visitors, "connect", held)
    open_before = sum(not socket.closed for socket in eio.sockets.values())
    widget = await RawSocket.open(base_url, {"Origin": SHOP_A})
    auth = {"site_key": tenant_a.site.site_key, "page": PAGE_A, "device": {"language": "en"}}
    await widget.send("40/visitor," + json.dumps(auth))
    await connected.wait()
    arrived = await agent_a.next("visitor_arrival")

    await widget.close()
    await until(lambda: sum(not s.closed for s in eio.sockets.values()) == open_before)
    release.set()

    left = await agent_a.next("visitor_left")
    assert left["visitor_id"] == arrived["id"]
    listed = (await agent_a.call("list_visitors", {}))["visitors"]
    assert [v["id"] for v in listed if v["online"]] == []


async def test_a_dashboard_closed_by_the_node_while_connecting_is_refused_without_an_error(
    app, base_url, tenant_a, monkeypatch, caplog
):
    auth, eio = app[auth_key], app[sio_key].eio
    signed_in, release = asyncio.Event(), asyncio.Event()
    authenticate = auth.authenticate

    async def held(token):
        ctx = await authenticate(token)
        signed_in.set()
        await release.wait()
        return ctx

    token = await login_token(base_url, tenant_a.email)
    monkeypatch.setattr(auth, "authenticate", held)
    before = set(eio.sockets)
    dashboard = await RawSocket.open(base_url)
    (eio_sid,) = set(eio.sockets) - before
    await dashboard.send("40/agent," + json.dumps({"token": token}))
    await signed_in.wait()
    await eio.sockets[eio_sid].close(wait=False, abort=True)  # as a node shutting down does
    release.set()
    assert await dashboard.receive(wait=1.0) is None  # closed, and no session was sent
    await dashboard.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
