"""Where a webhook may be sent: http(s) URLs whose host resolves to public addresses only.

Without this check an owner could point a webhook at the operator's own network (a
database port, a cloud metadata address) and read the answers in the delivery log. The
check runs when an endpoint is saved, and again at every delivery, on the very addresses
the connection then uses (DNS answers may change in between). An installation that does
want private receivers sets ``PORCHLIGHT_WEBHOOKS_ALLOW_PRIVATE=true``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.domain import InvalidInput

MAX_URL_CHARS = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(Exception):
    """The host resolves to an address webhooks may not reach (or does not resolve)."""


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    host: str
    port: int


def parse_url(raw: object) -> Target:
    """An endpoint URL as typed, checked for shape (not yet for where it points)."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Enter the URL that should receive the events", field="url")
    url = raw.strip()
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(f"The URL is longer than {MAX_URL_CHARS} characters", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "The URL must start with https:// (or http://) and name a host", field="url"
        )
    if parts.username or parts.password:
        raise InvalidInput(
            "Put no user name or password in the URL; check the signature instead", field="url"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput(
            "The URL's port is not a number between 1 and 65535", field="url"
        ) from None
    return Target(url, parts.hostname, port)


def allowed_address(address: str, allow_private: bool) -> bool:
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_private:
        return not ip.is_multicast and not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


def literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise RefusedAddress(f"{host} could not be found ({error.strerror or error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_target(target: Target, allow_private: bool) -> list[str]:
    """The addresses of ``target`` webhooks may connect to; RefusedAddress when any of them
    is refused (a host with one private address among public ones is refused as a whole)."""
    literal = literal_address(target.host)
    addresses = [literal] if literal else await resolve(target.host, target.port)
    refused = [a for a in addresses if not allowed_address(a, allow_private)]
    if refused or not addresses:
        raise RefusedAddress(
            f"{target.host} points at {', '.join(refused) or 'nothing'}, a private, loopback "
            "or link-local address: webhooks only go to public addresses"
        )
    return addresses
