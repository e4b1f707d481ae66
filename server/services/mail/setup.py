"""Builds the e-mail queue and this node's mail worker from the settings (for create_app)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from server.services.mail.mailer import Mailer
from server.services.mail.queue import MailQueue
from server.services.mail.templates import MailTemplates
from server.services.mail.worker import MAIL_LOOP, MailRetryPolicy, MailWorker, Renderer
from server.settings import Settings
from server.storage.messages import MessageStore


@dataclass(slots=True)
class MailKit:
    settings: Settings
    store: MessageStore
    mailer: Mailer
    queue: MailQueue
    templates: MailTemplates
    report_depth: Callable[[int], None] | None

    def worker(self, renderers: Mapping[str, Renderer]) -> MailWorker:
        s = self.settings
        return MailWorker(
            self.store,
            self.queue,
            self.mailer,
            renderers,
            policy=MailRetryPolicy(
                first_retry_seconds=s.mail_first_retry_seconds,
                window_seconds=s.mail_retry_window_seconds,
            ),
            loop=replace(
                MAIL_LOOP, poll_seconds=s.mail_poll_seconds, report_depth=self.report_depth
            ),
        )


def build_mail(
    settings: Settings,
    store: MessageStore,
    report_depth: Callable[[int], None] | None = None,
) -> MailKit:
    mailer = Mailer(settings.smtp_url, settings.mail_from)
    queue = MailQueue(store, enabled=mailer.configured)
    return MailKit(settings, store, mailer, queue, MailTemplates(), report_depth)
