"""One cleanup context per resource: start it, yield, then dispose of it in reverse order.

The objects themselves are built (without I/O) in ``create_app``; these contexts do the
I/O of starting and stopping them, so cleanup runs only for what started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from server.keys import (
    cache_key,
    console_key,
    conversations_key,
    drain_key,
    geo_key,
    message_store_key,
    origin_policy_key,
    presence_key,
    settings_key,
    sio_key,
    sql_engine_key,
    throttle_key,
    typing_key,
    visitors_key,
    webhook_worker_key,
)
from server.realtime.shutdown import close_connections
from server.storage.redis_presence import HEARTBEAT_SECONDS

log = logging.getLogger("porchlight")

RETENTION_CHECK_SECONDS = 300


async def sql_ctx(app: web.Application) -> AsyncIterator[None]:
    engine = app[sql_engine_key]
    async with engine.connect():
        pass  # fail at start, not on the first request, when the database is unreachable
    yield
    await engine.dispose()


async def message_store_ctx(app: web.Application) -> AsyncIterator[None]:
    store = app[message_store_key]
    await store.init()
    yield
    await store.close()


async def cache_ctx(app: web.Application) -> AsyncIterator[None]:
    cache = app[cache_key]
    await cache.ping()
    yield
    await cache.close()


async def throttle_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[throttle_key].close()


async def presence_heartbeat_ctx(app: web.Application) -> AsyncIterator[None]:
    """This node's heartbeat in the cache: its presence entries live only while it beats;
    dead nodes' visitors are announced as gone; presence lost by Redis is written back."""
    cache, visitors = app[cache_key], app[visitors_key]
    with contextlib.suppress(Exception):
        await cache.heartbeat()  # before the first connection, so this node's count

    async def beat_forever() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                for group, member in await cache.heartbeat():
                    await visitors.gone_with_node(group, member)
            except Exception as error:
                log.warning("presence heartbeat failed: %s", error)

    task = asyncio.create_task(beat_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Each site's retention, applied in the background: every node looks every few
    minutes, and the SQL claim gives each site's hourly turn to one of them."""
    retention = app[console_key].console.retention

    async def apply_forever() -> None:
        while True:
            await asyncio.sleep(RETENTION_CHECK_SECONDS)
            try:
                await retention.run_due()
            except Exception:
                log.exception("retention failed; tried again later")

    task = asyncio.create_task(apply_forever()) if retention is not None else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def geo_ctx(app: web.Application) -> AsyncIterator[None]:
    """The GeoIP database, memory-mapped for the process's life."""
    geo = app[geo_key]
    geo.open()
    log.info("geolocation from %s", geo.database)
    yield
    geo.close()


async def origin_policy_ctx(app: web.Application) -> AsyncIterator[None]:
    """Keeps the handshake's origin list fresh when sites change on any node."""
    policy = app[origin_policy_key]
    await policy.refresh()

    async def refresh_forever() -> None:
        while True:
            await asyncio.sleep(15)
            try:
                await policy.refresh()
            except Exception:
                log.exception("could not refresh allowed origins")

    task = asyncio.create_task(refresh_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def snooze_ctx(app: web.Application) -> AsyncIterator[None]:
    """Wakes snoozed conversations whose time has come. Every node runs one; the store's
    update is conditional, so a conversation wakes once however many nodes look."""
    conversations = app[conversations_key]
    every = app[settings_key].snooze_check_seconds

    async def wake_forever() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await conversations.wake_due()
            except Exception:
                log.exception("could not wake snoozed conversations")

    task = asyncio.create_task(wake_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def visitors_ctx(app: web.Application) -> AsyncIterator[None]:
    """Pending "visitor left" announcements are cancelled at shutdown."""
    yield
    await app[visitors_key].close()


async def presence_ctx(app: web.Application) -> AsyncIterator[None]:
    """Pending "agent went offline" announcements are dropped at shutdown."""
    yield
    await app[presence_key].close()


async def typing_ctx(app: web.Application) -> AsyncIterator[None]:
    """Pending "stopped typing" timers are cancelled at shutdown."""
    yield
    await app[typing_key].close()


async def socketio_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    sio = app[sio_key]
    await sio.shutdown()
    close_fan_out = getattr(sio.manager, "close", None)  # the Redis manager, when configured
    if close_fan_out is not None:
        await close_fan_out()


async def webhooks_ctx(app: web.Application) -> AsyncIterator[None]:
    """This node's webhook worker: sends due deliveries until shutdown."""
    worker = app[webhook_worker_key]
    await worker.start()
    yield
    await worker.close()


async def close_socket_connections(app: web.Application) -> None:
    """``on_shutdown``: the listening socket is closed already; answer or refuse what is
    running, then end every Socket.IO connection so clients move to another node. The
    resources above are still open (their contexts end after this)."""
    await close_connections(app[sio_key], app[drain_key], app[settings_key].shutdown_grace_seconds)
