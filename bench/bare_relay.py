"""The bare relay: the same aiohttp and python-socketio as Porchlight, nothing stored.

The floor the product is measured against. Its ``/visitor`` namespace accepts the widget's
connect (and greets it with a ``session`` event, as Porchlight does) and its
``send_message`` emits the message to the agents' room and acks (``typing_preview`` emits
the draft there, without an ack); ``/agent`` joins that room. No validation, no store, no
cache, the standard library's JSON.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
from typing import Any

import socketio
from aiohttp import web

AGENTS_ROOM = "agents"


def build_app() -> web.Application:
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        cors_allowed_origins="*",
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
    ids = itertools.count(1)

    class Visitor(socketio.AsyncNamespace):
        async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> None:
            await self.emit("session", {"visitor_id": sid}, to=sid)

        async def on_send_message(self, sid: str, data: Any) -> dict[str, Any]:
            message = {
                "id": f"{next(ids):020d}",
                "client_id": data.get("client_id"),
                "text": data.get("text"),
                "visitor_id": sid,
            }
            await sio.emit("message", message, room=AGENTS_ROOM, namespace="/agent")
            return {"ok": True, "message": message}

        async def on_typing_preview(self, sid: str, data: Any) -> None:
            preview = {"conversation_id": None, "visitor_id": sid, "text": data.get("text")}
            await sio.emit("visitor_typing_preview", preview, room=AGENTS_ROOM, namespace="/agent")

    class Agent(socketio.AsyncNamespace):
        async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> None:
            await self.enter_room(sid, AGENTS_ROOM)

    sio.register_namespace(Visitor("/visitor"))
    sio.register_namespace(Agent("/agent"))
    app = web.Application()
    sio.attach(app)
    return app


def serve(port: int, ready: multiprocessing.synchronize.Event) -> None:
    from bench.load_client import raise_open_files

    raise_open_files()  # 10,000 idle sockets are 10,000 descriptors

    async def main() -> None:
        runner = web.AppRunner(build_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())
