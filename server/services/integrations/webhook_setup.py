"""Builds the webhook service and this node's worker from the settings (for create_app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.ext.asyncio import async_sessionmaker

from server.services.integrations.webhook_sender import WebhookSender
from server.services.integrations.webhook_worker import WEBHOOK_LOOP, RetryPolicy, WebhookWorker
from server.services.integrations.webhooks import WebhookService
from server.services.mail.mailer import Mailer
from server.settings import Settings
from server.storage.messages import MessageStore
from server.storage.sql.audit import AuditRepository
from server.storage.sql.team import TeamRepository
from server.storage.sql.webhooks import WebhookRepository


def build_webhooks(
    settings: Settings,
    sessions: async_sessionmaker,
    store: MessageStore,
    audit: AuditRepository,
    observe: Callable[[str, float], None] | None = None,
    report_depth: Callable[[int], None] | None = None,
) -> tuple[WebhookService, WebhookWorker]:
    endpoints = WebhookRepository(sessions)
    webhooks = WebhookService(endpoints, store, allow_private=settings.webhooks_allow_private)
    policy = RetryPolicy(
        first_retry_seconds=settings.webhook_first_retry_seconds,
        window_seconds=settings.webhook_retry_window_seconds,
        disable_after_failures=settings.webhook_disable_after_failures,
        disable_after_seconds=settings.webhook_disable_after_seconds,
        keep_finished_seconds=settings.webhook_keep_days * 24 * 3600.0,
    )
    sender = WebhookSender(
        allow_private=settings.webhooks_allow_private,
        timeout_seconds=settings.webhook_timeout_seconds,
    )
    worker = WebhookWorker(
        store,
        webhooks,
        endpoints,
        sender,
        policy=policy,
        audit=audit,
        team=TeamRepository(sessions),
        mailer=Mailer(settings.smtp_url, settings.mail_from),
        loop=replace(
            WEBHOOK_LOOP,
            lease_seconds=max(WEBHOOK_LOOP.lease_seconds, settings.webhook_timeout_seconds * 3),
            poll_seconds=settings.webhook_poll_seconds,
            report_depth=report_depth,
        ),
        observe=observe,
    )
    return webhooks, worker
