"""Outgoing e-mail through an asyncio SMTP client (aiosmtplib).

``PORCHLIGHT_SMTP_URL`` is ``smtp://user:password@host:587`` (STARTTLS when the server
offers it), ``smtps://…:465`` (TLS from the first byte) or ``smtp://host:25`` without login.
Unset, nothing is sent: the console shows invite links for the owner to pass on, and the
widget promises no e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

import aiosmtplib

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


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None  # sent as the alternative to ``text`` when given
    headers: dict[str, str] = field(default_factory=dict)  # List-Unsubscribe, Reply-To


class MailRefused(Exception):
    """The SMTP server refused the mail; ``permanent`` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer:
    """Sends mail; ``configured`` is False when no SMTP server is set."""

    def __init__(self, smtp_url: str | None, sender: str | None, timeout: float = 20) -> None:
        self._target = SmtpTarget.parse(smtp_url) if smtp_url else None
        self._sender = sender or "Porchlight <no-reply@localhost>"
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        return self._target is not None

    async def send(self, to: str, subject: str, text: str) -> None:
        """A plain-text mail (invitations)."""
        await self.deliver(Mail(to, subject, text))

    async def deliver(self, mail: Mail) -> None:
        """Hand ``mail`` to the SMTP server; raises ``MailRefused`` when it will not take it
        (or cannot be reached: not permanent)."""
        target = self._target
        if target is None:
            return
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(domain=_domain_of(self._sender))
        for name, value in mail.headers.items():
            message[name] = value
        message.set_content(mail.text)
        if mail.html is not None:
            message.add_alternative(mail.html, subtype="html")
        try:
            await aiosmtplib.send(
                message,
                hostname=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                use_tls=target.tls,
                start_tls=None if not target.tls else False,  # STARTTLS when offered
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [r.code for r in error.recipients]
            raise MailRefused(str(error), permanent=all(c >= 500 for c in codes)) from error
        except aiosmtplib.SMTPResponseException as error:
            reply = f"{error.code} {error.message}"
            raise MailRefused(reply, permanent=error.code >= 500) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailRefused(str(error) or type(error).__name__, permanent=False) from error


def _domain_of(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"
