"""create_app(settings): the one place where the application is put together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from server import keys, resources
from server.http.middlewares import errors_middleware, security_headers_middleware
from server.http.ops.access_log import access_log_middleware
from server.http.ops.request_id import add_request_id_header, request_id_middleware
from server.http.routes import setup_routes
from server.http.widget.config import Bundle
from server.realtime.agent import AgentNamespace
from server.realtime.broadcaster import SocketBroadcaster
from server.realtime.event_ids import tag_events
from server.realtime.relay import SocketRelay
from server.realtime.server import build_socketio
from server.realtime.timing import connected_count, time_events
from server.realtime.visitor import VisitorNamespace
from server.services.arrivals import Arrivals
from server.services.chat.composer import ComposerService
from server.services.chat.conversations import ConversationService
from server.services.chat.first_replies import FirstReplies
from server.services.chat.message_edits import MessageEditService
from server.services.chat.missed import MissedTimes
from server.services.chat.notes import NoteService
from server.services.chat.search import SearchService
from server.services.chat.service import ChatService
from server.services.chat.suggestions import ReplySuggester
from server.services.chat.typing import TypingService
from server.services.chat.workflow import WorkflowSettings
from server.services.console.business_hours import HoursService
from server.services.console.kit import ConsoleKit
from server.services.console.service import OPERATIONS
from server.services.console.sites import SiteService
from server.services.departures import Departures
from server.services.events import EventBus
from server.services.files.uploads import AttachmentRefs, build_upload_service
from server.services.integrations.idempotency import IdempotencyService
from server.services.integrations.metrics import Metrics
from server.services.integrations.webhook_setup import build_webhooks
from server.services.mail.agent_mail import AgentNotices
from server.services.mail.links import MailLinks
from server.services.mail.setup import build_mail
from server.services.mail.visitor_mail import VisitorMail
from server.services.protection.drain import Drain
from server.services.protection.socket_caps import SocketCaps
from server.services.protection.throttle import Throttle
from server.services.reports.service import ReportRecorder, ReportService, Sentiment
from server.services.reports.upkeep import ReportUpkeep
from server.services.team.agent_settings import AgentSettingsService
from server.services.team.auth import AuthService, password_hasher
from server.services.team.presence import AgentPresence
from server.services.team.tokens import TokenSigner
from server.services.team.two_factor import TwoFactorService
from server.services.visitors.contacts import ContactsService
from server.services.visitors.fingerprint import FingerprintKeys
from server.services.visitors.geo import GeoService
from server.services.visitors.journey import JourneyService
from server.services.visitors.privacy import PrivacyService
from server.services.visitors.retention import RetentionService
from server.services.visitors.service import VisitorService
from server.settings import Settings
from server.storage.cache import Cache, MemoryCache, RedisCache
from server.storage.messages import MessageStore
from server.storage.messages.timed import TimedStore
from server.storage.rate_limits import WindowCounters
from server.storage.sql.agent_settings import AgentSettingsRepository
from server.storage.sql.agents import AgentRepository
from server.storage.sql.audit import AuditRepository
from server.storage.sql.business_hours import BusinessHoursRepository
from server.storage.sql.engine import make_engine, make_sessionmaker
from server.storage.sql.idempotency import IdempotencyRepository
from server.storage.sql.retention import RetentionRepository
from server.storage.sql.sites import SiteRepository
from server.storage.sql.team import TeamRepository
from server.storage.sql.two_factor import TwoFactorRepository
from server.storage.sql.workflow import WorkflowRepository

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
TEMPLATES_DIR = ROOT / "dashboard" / "templates"


def open_message_store(settings: Settings) -> MessageStore:
    if settings.mongodb_url:
        from server.storage.messages.mongo import MongoMessageStore

        return MongoMessageStore(settings.mongodb_url, settings.mongodb_database)
    from server.storage.messages.sqlite import SqliteMessageStore

    return SqliteMessageStore(settings.messages_db_path)


def open_cache(settings: Settings) -> Cache:
    if settings.redis_url:
        return RedisCache.from_url(settings.redis_url, prefix=f"{settings.redis_namespace}:")
    return MemoryCache()


def open_throttle(settings: Settings, cache: Cache) -> Throttle:
    """Counted in Redis when the cache is (so every node sees the same counts)."""
    if isinstance(cache, RedisCache) and settings.redis_url:
        counters = WindowCounters.on_redis(
            settings.redis_url,
            cache.connection_pool,
            f"{settings.redis_namespace}:limits",
            calls=cache.script_calls,
        )
    else:
        counters = WindowCounters.in_memory()
    return Throttle(counters, settings.rate_limits)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[
            request_id_middleware,
            access_log_middleware,
            errors_middleware,
            security_headers_middleware,
        ],
        client_max_size=settings.upload_max_bytes + 64 * 1024,
    )
    app[keys.settings_key] = settings

    engine = make_engine(
        settings.database_url,
        pool_timeout=settings.database_pool_timeout_seconds,
        pool_size=settings.database_pool_size,
    )
    sessions = make_sessionmaker(engine)
    metrics = Metrics()
    store = TimedStore(open_message_store(settings), metrics.observe_store)
    cache = open_cache(settings)
    throttle = open_throttle(settings, cache)
    site_repo, audit = SiteRepository(sessions), AuditRepository(sessions)
    tokens = TokenSigner(settings.secret_key)
    events = EventBus()  # domain events: sockets (SocketRelay), webhooks, metrics subscribe
    webhooks, webhook_worker = build_webhooks(
        settings,
        sessions,
        store,
        audit,
        observe=metrics.observe_webhook,
        report_depth=metrics.webhook_queue.set,
    )
    events.subscribe(webhooks.on_event)
    events.subscribe(metrics.on_event)
    recorder = ReportRecorder(store, Sentiment())
    events.subscribe(recorder.on_event)  # the Reports page's facts

    own_origins = [f"http://localhost:{settings.port}", f"http://127.0.0.1:{settings.port}"]
    if settings.public_url:
        own_origins.append(settings.public_url)
    sites = SiteService(
        site_repo, audit, own_origins, dev_localhost_origins=settings.dev_localhost_origins
    )
    sio = build_socketio(settings, sites.origin_policy)
    broadcaster = SocketBroadcaster(sio)

    auth = AuthService(
        AgentRepository(sessions),
        site_repo,
        audit,
        tokens,
        settings.agent_token_ttl_seconds,
        password_hasher(settings),
        throttle=throttle,
        two_factor=TwoFactorService(TwoFactorRepository(sessions), tokens),
    )
    workflow = WorkflowSettings(WorkflowRepository(sessions), store, cache)
    departures = Departures(cache)  # presence the cache refused as sockets closed
    arrivals = Arrivals(cache)  # and as agents' sockets opened
    console = ConsoleKit.build(
        settings,
        sessions,
        cache,
        sites,
        site_repo,
        auth,
        tokens,
        broadcaster,
        audit,
        departures,
        arrivals=arrivals,
        webhooks=webhooks,
        workflow=workflow,
    )
    geo = GeoService(
        cache,
        settings.geoip_db,
        private=settings.geoip_private_location,
        ttl_seconds=settings.geoip_cache_ttl_seconds,
    )
    visitors = VisitorService(
        store,
        cache,
        sites,
        broadcaster,
        tokens,
        settings.visitor_token_ttl_seconds,
        settings.visitor_left_grace_seconds,
        geo=geo,
        journey=JourneyService(store, settings.visit_gap_seconds),
        fingerprints=FingerprintKeys(settings.secret_key),
        gate=console.gate,
        throttle=throttle,
        events=events,
        sockets=SocketCaps(
            cache, settings.max_sockets_per_address, settings.max_sockets_per_visitor
        ),
        departures=departures,
        mail=bool(settings.smtp_url),
    )
    attachment_refs = AttachmentRefs(tokens)
    notes = NoteService(store, events)
    missed = MissedTimes(store)  # each site's missed time: the inbox and the reports
    conversations = ConversationService(
        store, visitors, events, workflow, TeamRepository(sessions), notes=notes, missed=missed
    )
    chat = ChatService(
        store,
        visitors,
        broadcaster,
        attachments=attachment_refs,
        gate=console.gate,
        events=events,
        conversations=conversations,
    )
    uploads = build_upload_service(settings, attachment_refs, tokens, auth, sites, store, throttle)
    privacy = PrivacyService(store, uploads.files, visitors.sockets, broadcaster)
    console.console.privacy = privacy
    console.console.retention = RetentionService(
        RetentionRepository(sessions),
        store,
        privacy,
        files=uploads.files,
        unsent_grace=timedelta(seconds=settings.unsent_upload_grace_seconds),
        send_window=timedelta(seconds=attachment_refs.ttl_seconds),
    )
    hours = HoursService(BusinessHoursRepository(sessions))
    console.console.hours = hours
    events.subscribe(FirstReplies(store, events, hours, sites).on_event)
    presence = AgentPresence(
        cache,
        sites,
        broadcaster,
        departures,
        store,
        arrivals=arrivals,
        offline_grace_seconds=settings.agent_offline_grace_seconds,
    )
    typing = TypingService(store, sites, throttle, broadcaster)
    # Conversation changes are written, then told once on the bus; sockets subscribe.
    events.subscribe(SocketRelay(broadcaster))
    composer = ComposerService(
        store,
        sites,
        console.replies,
        ReplySuggester(console.replies),
        notes,
    )
    edits = MessageEditService(
        store, events, console.team.role_of, max_chars=settings.max_message_chars
    )

    mail = build_mail(settings, store, report_depth=metrics.email_queue.set)
    mail_links = MailLinks(
        tokens, store, settings.public_url or f"http://localhost:{settings.port}"
    )
    visitor_mail = VisitorMail(
        mail.queue,
        store,
        sites,
        mail.templates,
        mail_links,
        visitor_online=visitors.is_online,
        batch_seconds=settings.mail_batch_seconds,
    )
    events.subscribe(visitor_mail.on_event)  # replies e-mailed to visitors who left

    drain = Drain()  # shutdown: new events refused (retryable), running ones waited for
    sio.register_namespace(
        VisitorNamespace(
            settings,
            visitors,
            chat,
            typing,
            throttle,
            drain,
            edits=edits,
            conversations=conversations,
            mail=visitor_mail,
            hours=hours,
        )
    )
    sio.register_namespace(
        AgentNamespace(
            settings,
            auth,
            chat,
            visitors,
            presence,
            typing,
            console=console.console,
            team=console.team,
            composer=composer,
            drain=drain,
            edits=edits,
            origins=sites.origin_policy,
            conversations=conversations,
            mail=visitor_mail,
        )
    )
    for namespace in sio.namespace_handlers.values():
        time_events(namespace, metrics.observe_event, known=OPERATIONS)
        tag_events(namespace)
    metrics.count_connections("visitor", connected_count(sio, "/visitor"))
    metrics.count_connections("agent", connected_count(sio, "/agent"))
    metrics.count_busy(lambda: sio.refused)
    sio.attach(app)

    app[keys.sql_engine_key] = engine
    app[keys.message_store_key] = store
    app[keys.idempotency_key] = IdempotencyService(IdempotencyRepository(sessions))
    app[keys.cache_key] = cache
    app[keys.throttle_key] = throttle
    app[keys.origin_policy_key] = sites.origin_policy
    app[keys.sites_key] = sites
    app[keys.auth_key] = auth
    app[keys.visitors_key] = visitors
    app[keys.geo_key] = geo
    app[keys.chat_key] = chat
    app[keys.uploads_key] = uploads
    app[keys.sio_key] = sio
    app[keys.typing_key] = typing
    agent_settings = AgentSettingsService(AgentSettingsRepository(sessions))
    app[keys.agent_settings_key] = agent_settings
    app[keys.widget_bundle_key] = Bundle.load(STATIC_DIR / "widget.js")
    app[keys.widget_chat_bundle_key] = Bundle.load(STATIC_DIR / "widget-chat.js")
    app[keys.console_key] = console
    app[keys.composer_key] = composer
    app[keys.edits_key] = edits
    app[keys.search_key] = SearchService(store, tags_of=workflow.tags)
    app[keys.contacts_key] = ContactsService(store, visitors)
    app[keys.events_key] = events
    app[keys.metrics_key] = metrics
    app[keys.webhooks_key] = webhooks
    app[keys.webhook_worker_key] = webhook_worker
    app[keys.drain_key] = drain
    app[keys.conversations_key] = conversations
    app[keys.presence_key] = presence
    app[keys.departures_key] = departures
    app[keys.report_recorder_key] = recorder
    reports = ReportService(store, console.team, missed, recorder.settled, hours=hours)
    app[keys.reports_key] = reports
    app[keys.report_upkeep_key] = ReportUpkeep(store, reports)
    notices = AgentNotices(
        mail.queue,
        store,
        TeamRepository(sessions),
        agent_settings,
        sites,
        mail.templates,
        anyone_online=presence.anyone_online,
        link_base=settings.public_url or f"http://localhost:{settings.port}",
        batch_seconds=settings.mail_batch_seconds,
    )
    events.subscribe(notices.on_event)  # e-mail to agents while none is online
    app[keys.mail_queue_key] = mail.queue
    app[keys.mail_links_key] = mail_links
    app[keys.visitor_mail_key] = visitor_mail
    app[keys.mail_worker_key] = mail.worker(
        {
            "agent_notice": notices.render,
            "visitor_reply": visitor_mail.render_reply,
            "transcript": visitor_mail.render_transcript,
        }
    )

    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    setup_routes(app, STATIC_DIR)
    app.on_shutdown.append(resources.close_socket_connections)
    app.on_response_prepare.append(add_request_id_header)
    app.cleanup_ctx.extend(
        [
            resources.sql_ctx,
            resources.message_store_ctx,
            resources.report_facts_ctx,
            resources.cache_ctx,
            resources.presence_heartbeat_ctx,
            resources.retention_ctx,
            resources.throttle_ctx,
            resources.geo_ctx,
            resources.origin_policy_ctx,
            resources.visitors_ctx,
            resources.typing_ctx,
            resources.snooze_ctx,
            resources.presence_ctx,
            resources.webhooks_ctx,
            resources.mail_ctx,
            resources.departures_ctx,
            resources.socketio_ctx,
        ]
    )
    return app
