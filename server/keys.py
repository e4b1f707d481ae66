"""Every web.AppKey the application stores, in one place."""

from __future__ import annotations

import socketio
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from server.services.agent_settings import AgentSettingsService
from server.services.agents_presence import AgentPresence
from server.services.auth import AuthService
from server.services.chat import ChatService
from server.services.composer import ComposerService
from server.services.console_kit import ConsoleKit
from server.services.contacts import ContactsService
from server.services.conversations import ConversationService
from server.services.drain import Drain
from server.services.events import EventBus
from server.services.geo import GeoService
from server.services.idempotency import IdempotencyService
from server.services.mail_links import MailLinks
from server.services.mail_queue import MailQueue
from server.services.mail_worker import MailWorker
from server.services.message_edits import MessageEditService
from server.services.metrics import Metrics
from server.services.reports import ReportRecorder, ReportService
from server.services.search import SearchService
from server.services.sites import OriginPolicy, SiteService
from server.services.throttle import Throttle
from server.services.typing import TypingService
from server.services.uploads import UploadService
from server.services.visitor_mail import VisitorMail
from server.services.visitors import VisitorService
from server.services.webhook_worker import WebhookWorker
from server.services.webhooks import WebhookService
from server.settings import Settings
from server.storage.cache import Cache
from server.storage.messages import MessageStore

settings_key = web.AppKey("settings", Settings)
sql_engine_key = web.AppKey("sql_engine", AsyncEngine)
message_store_key = web.AppKey("message_store", MessageStore)
cache_key = web.AppKey("cache", Cache)
throttle_key = web.AppKey("throttle", Throttle)
origin_policy_key = web.AppKey("origin_policy", OriginPolicy)
sites_key = web.AppKey("sites", SiteService)
auth_key = web.AppKey("auth", AuthService)
visitors_key = web.AppKey("visitors", VisitorService)
geo_key = web.AppKey("geo", GeoService)
chat_key = web.AppKey("chat", ChatService)
sio_key = web.AppKey("sio", socketio.AsyncServer)
widget_bundle_key = web.AppKey("widget_bundle", object)
widget_chat_bundle_key = web.AppKey("widget_chat_bundle", object)
typing_key = web.AppKey("typing", TypingService)
agent_settings_key = web.AppKey("agent_settings", AgentSettingsService)
uploads_key = web.AppKey("uploads", UploadService)
console_key = web.AppKey("console", ConsoleKit)
composer_key = web.AppKey("composer", ComposerService)
search_key = web.AppKey("search", SearchService)
contacts_key = web.AppKey("contacts", ContactsService)
events_key = web.AppKey("events", EventBus)
webhooks_key = web.AppKey("webhooks", WebhookService)
webhook_worker_key = web.AppKey("webhook_worker", WebhookWorker)
drain_key = web.AppKey("drain", Drain)
edits_key = web.AppKey("edits", MessageEditService)
metrics_key = web.AppKey("metrics", Metrics)
conversations_key = web.AppKey("conversations", ConversationService)
presence_key = web.AppKey("presence", AgentPresence)
reports_key = web.AppKey("reports", ReportService)
report_recorder_key = web.AppKey("report_recorder", ReportRecorder)
mail_queue_key = web.AppKey("mail_queue", MailQueue)
mail_worker_key = web.AppKey("mail_worker", MailWorker)
idempotency_key = web.AppKey("idempotency", IdempotencyService)
mail_links_key = web.AppKey("mail_links", MailLinks)
visitor_mail_key = web.AppKey("visitor_mail", VisitorMail)
