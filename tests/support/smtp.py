"""A real SMTP server on localhost for tests (aiosmtpd's Controller, on a free port): it
keeps what arrives, parsed, and can be told to refuse the next few mails."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Arrived:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def body(self, subtype: str = "plain") -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        assert part is not None, f"no text/{subtype} part"
        return part.get_content()


@dataclass
class SmtpInbox:
    port: int = 0
    arrived: list[Arrived] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)  # replies for the next mails, in order
    attempts: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        if self.refuse:
            return self.refuse.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.arrived.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Arrived]:
        return [a for a in self.arrived if address in a.recipients]

    async def wait_for(self, count: int, seconds: float = 10.0) -> list[Arrived]:
        """Wait until ``count`` mails arrived (more may follow)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while len(self.arrived) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{len(self.arrived)} of {count} mails arrived")
            await asyncio.sleep(0.05)
        return self.arrived

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_inbox() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
