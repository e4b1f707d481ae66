"""Outgoing e-mail (team invitations) through the standard library's SMTP client.

``PORCHLIGHT_SMTP_URL`` is ``smtp://user:password@host:587`` (STARTTLS when the server
offers it), ``smtps://…:465`` (TLS from the first byte) or ``smtp://host:25`` without login.
Unset, nothing is sent and the console shows invite links for the owner to pass on.
smtplib blocks, so each message is sent in a worker thread.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from server.settings import ConfigError


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool  # implicit TLS (smtps)
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError("PORCHLIGHT_SMTP_URL must look like smtp://user:pass@host:587")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("PORCHLIGHT_SMTP_URL has a malformed port") from None
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=port or (465 if tls else 25),
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class Mailer:
    """Sends plain-text mail; ``configured`` is False when no SMTP server is set."""

    def __init__(self, smtp_url: str | None, sender: str | None, timeout: float = 20) -> None:
        self._target = SmtpTarget.parse(smtp_url) if smtp_url else None
        self._sender = sender or "Porchlight <no-reply@localhost>"
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        return self._target is not None

    async def send(self, to: str, subject: str, text: str) -> None:
        if self._target is None:
            return
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        await asyncio.to_thread(self._deliver, self._target, message)

    def _deliver(self, target: SmtpTarget, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if target.tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                target.host, target.port, timeout=self._timeout, context=context
            )
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=self._timeout)
        with client:
            client.ehlo()
            if not target.tls and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(message)
