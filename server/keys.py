"""Every web.AppKey the application stores, in one place."""

from __future__ import annotations

import socketio
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from server.services.chat.composer import ComposerService
from server.services.chat.conversations import ConversationService
from server.services.chat.message_edits import MessageEditService
from server.services.chat.search import SearchService
from server.services.chat.service import ChatService
from server.services.chat.typing import TypingService
from server.services.console.kit import ConsoleKit
from server.services.console.sites import OriginPolicy, SiteService
from server.services.departures import Departures
from server.services.events import EventBus
from server.services.files.uploads import UploadService
from server.services.integrations.idempotency import IdempotencyService
from server.services.integrations.metrics import Metrics
from server.services.integrations.webhook_worker import WebhookWorker
from server.services.integrations.webhooks import WebhookService
from server.services.mail.links import MailLinks
from server.services.mail.queue import MailQueue
from server.services.mail.visitor_mail import VisitorMail
from server.services.mail.worker import MailWorker
from server.services.protection.drain import Drain
from server.services.protection.throttle import Throttle
from server.services.reports.service import ReportRecorder, ReportService
from server.services.reports.upkeep import ReportUpkeep
from server.services.team.agent_settings import AgentSettingsService
from server.services.team.auth import AuthService
from server.services.team.presence import AgentPresence
from server.services.visitors.contacts import ContactsService
from server.services.visitors.geo import GeoService
from server.services.visitors.service import VisitorService
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
departures_key = web.AppKey("departures", Departures)
reports_key = web.AppKey("reports", ReportService)
report_recorder_key = web.AppKey("report_recorder", ReportRecorder)
report_upkeep_key = web.AppKey("report_upkeep", ReportUpkeep)
mail_queue_key = web.AppKey("mail_queue", MailQueue)
mail_worker_key = web.AppKey("mail_worker", MailWorker)
idempotency_key = web.AppKey("idempotency", IdempotencyService)
mail_links_key = web.AppKey("mail_links", MailLinks)
visitor_mail_key = web.AppKey("visitor_mail", VisitorMail)
