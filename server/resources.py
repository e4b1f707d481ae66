"""One cleanup context per resource: start it, yield, then dispose of it in reverse order.

The objects themselves are built (without I/O) in ``create_app``; these contexts do the
I/O of starting and stopping them, so cleanup runs only for what started.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from server.keys import (
    cache_key,
    console_key,
    conversations_key,
    departures_key,
    drain_key,
    geo_key,
    mail_worker_key,
    message_store_key,
    origin_policy_key,
    presence_key,
    report_recorder_key,
    report_upkeep_key,
    settings_key,
    sio_key,
    sql_engine_key,
    throttle_key,
    typing_key,
    visitors_key,
    webhook_worker_key,
)
from server.periodic import every
from server.realtime.shutdown import close_connections
from server.services.reports.upkeep import EVERY_SECONDS
from server.storage.redis_presence import HEARTBEAT_SECONDS

log = logging.getLogger("porchlight")

RETENTION_CHECK_SECONDS = 300
WEBHOOK_PRUNE_SECONDS = 3600
MAIL_PRUNE_SECONDS = 3600
ORIGIN_REFRESH_SECONDS = 15


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


async def report_facts_ctx(app: web.Application) -> AsyncIterator[None]:
    """The reports' upkeep runs once a minute (``services/reports/upkeep.py``); the report
    facts still on their way are written before the store closes."""
    async with every(EVERY_SECONDS, app[report_upkeep_key].run, name="report upkeep"):
        yield
    await app[report_recorder_key].settled()


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

    async def beat() -> None:
        for group, member in await cache.heartbeat():
            await visitors.gone_with_node(group, member)

    async with every(HEARTBEAT_SECONDS, beat, name="presence heartbeat"):
        yield


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Each site's retention, applied in the background: every node looks every few
    minutes, and the SQL claim gives each site's hourly turn to one of them."""
    retention = app[console_key].console.retention

    if retention is None:
        yield
        return
    async with every(RETENTION_CHECK_SECONDS, retention.run, name="retention"):
        yield


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

    async with every(ORIGIN_REFRESH_SECONDS, policy.refresh, name="allowed origins refresh"):
        yield


async def snooze_ctx(app: web.Application) -> AsyncIterator[None]:
    """Wakes snoozed conversations whose time has come. Every node runs one; the store's
    update is conditional, so a conversation wakes once however many nodes look."""
    conversations = app[conversations_key]
    every_seconds = app[settings_key].snooze_check_seconds

    async with every(every_seconds, conversations.wake_due, name="snooze wake-up"):
        yield


async def visitors_ctx(app: web.Application) -> AsyncIterator[None]:
    """Pending "visitor left" announcements are cancelled at shutdown."""
    yield
    await app[visitors_key].close()


async def presence_ctx(app: web.Application) -> AsyncIterator[None]:
    """Pending "agent went offline" announcements are dropped at shutdown."""
    yield
    await app[presence_key].close()


async def departures_ctx(app: web.Application) -> AsyncIterator[None]:
    """Departures the cache refused get one last try at shutdown, once the sockets have
    closed and before the services that announce them stop."""
    yield
    await app[departures_key].close()


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
    """This node's webhook worker: sends due deliveries until shutdown, and every hour
    deletes finished deliveries older than ``PORCHLIGHT_WEBHOOKS_KEEP_DAYS``."""
    worker = app[webhook_worker_key]
    await worker.start()
    # Every node prunes; a delete of what another node deleted already is a no-op.
    prune = worker.prune_finished
    async with every(WEBHOOK_PRUNE_SECONDS, prune, name="webhook log pruning"):
        yield
    await worker.close()


async def mail_ctx(app: web.Application) -> AsyncIterator[None]:
    """This node's mail worker: sends the queued e-mail until shutdown (when SMTP is set);
    mail it has not sent stays queued for the next start or another node."""
    worker = app[mail_worker_key]
    await worker.start()
    async with every(MAIL_PRUNE_SECONDS, worker.prune_finished, name="mail queue pruning"):
        yield
    await worker.close()


async def close_socket_connections(app: web.Application) -> None:
    """``on_shutdown``: the listening socket is closed already; answer or refuse what is
    running, then end every Socket.IO connection so clients move to another node. The
    resources above are still open (their contexts end after this)."""
    await close_connections(app[sio_key], app[drain_key], app[settings_key].shutdown_grace_seconds)
