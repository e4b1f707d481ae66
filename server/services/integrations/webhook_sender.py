"""One HTTP attempt of a webhook delivery: a signed POST, with timeouts, to a checked address.

The connection goes only where ``webhook_targets`` allows: literal IP addresses are
checked before the request, host names by the resolver the client connects through, so
the address that was checked is the address that is used. Redirects are not followed (a
3xx counts as a failure): a redirect could lead anywhere.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from server.services.integrations.webhook_signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    signature,
)
from server.services.integrations.webhook_targets import (
    RefusedAddress,
    allowed_address,
    check_target,
    literal_address,
    parse_url,
)

EXCERPT_CHARS = 500
USER_AGENT = "Porchlight-Webhooks/1"


@dataclass(frozen=True, slots=True)
class Response:
    ok: bool
    status: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""


class GuardedResolver(AbstractResolver):
    """The default resolver, refusing hosts that resolve to addresses webhooks may not reach."""

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        refused = [r["host"] for r in found if not allowed_address(r["host"], self._allow_private)]
        if refused or not found:
            raise RefusedAddress(
                f"{host} points at {', '.join(refused) or 'nothing'}, a private, loopback or "
                "link-local address: webhooks only go to public addresses"
            )
        return found

    async def close(self) -> None:
        await self._inner.close()


class WebhookSender:
    def __init__(self, *, allow_private: bool, timeout_seconds: float) -> None:
        self._allow_private = allow_private
        self._timeout = aiohttp.ClientTimeout(
            total=timeout_seconds, connect=min(5.0, timeout_seconds)
        )
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self._allow_private), limit=64, limit_per_host=8
        )
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=self._timeout, trust_env=False
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, url: str, secret: str, delivery_id: str, event: str, body: str, now: float
    ) -> Response:
        if self._session is None:
            raise RuntimeError("the webhook sender is not started")
        started = time.perf_counter()
        payload = body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature(secret, int(now), payload),
            DELIVERY_HEADER: delivery_id,
            EVENT_HEADER: event,
        }
        try:
            target = parse_url(url)
            if literal_address(target.host):  # the resolver is not asked about literals
                await check_target(target, self._allow_private)
            async with self._session.post(
                url, data=payload, headers=headers, allow_redirects=False
            ) as reply:
                raw = await reply.content.read(EXCERPT_CHARS * 4)
                excerpt = raw.decode("utf-8", "replace")[:EXCERPT_CHARS]
                ok = 200 <= reply.status < 300
                return Response(
                    ok,
                    reply.status,
                    _ms_since(started),
                    excerpt,
                    "" if ok else f"the receiver answered {reply.status}",
                )
        except RefusedAddress as refused:
            return Response(False, None, _ms_since(started), error=str(refused))
        except aiohttp.ClientConnectorError as error:
            if isinstance(error.os_error, RefusedAddress):
                return Response(False, None, _ms_since(started), error=str(error.os_error))
            return Response(False, None, _ms_since(started), error=f"could not connect: {error}")
        except TimeoutError:
            return Response(
                False, None, _ms_since(started), error="the receiver did not answer in time"
            )
        except (aiohttp.ClientError, ValueError) as error:
            return Response(False, None, _ms_since(started), error=_describe(error))


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _describe(error: Any) -> str:
    return f"{type(error).__name__}: {error}"[:300]
