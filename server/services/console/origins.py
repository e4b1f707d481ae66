"""Which web pages may embed a site's widget."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit


@functools.lru_cache(maxsize=4096)  # a handful of origins, asked several times a connect
def normalize_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case, default ports dropped; None if not an origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def origin_allowed(origin: str | None, allowed: Iterable[str]) -> bool:
    """Exact origins, or ``https://*.example.com`` for any subdomain (not the apex)."""
    if origin is None:
        return False
    origin = normalize_origin(origin)
    if origin is None:
        return False
    scheme, _, host = origin.partition("://")
    for pattern in allowed:
        p_scheme, _, p_host = pattern.partition("://")
        if p_host.startswith("*."):
            if scheme == p_scheme and host.endswith(p_host[1:]) and host != p_host[2:]:
                return True
        elif normalize_origin(pattern) == origin:
            return True
    return False


def is_localhost(origin: str) -> bool:
    """``http(s)://localhost`` or a loopback address, any port: a developer's own machine."""
    normalized = normalize_origin(origin)
    if normalized is None:
        return False
    host = urlsplit(normalized).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def link_base(public_url: str | None, scheme: str, host: str | None, port: int) -> str:
    """Where links sent to people (invitations) point: ``PORCHLIGHT_PUBLIC_URL``. Without
    it, this machine: the request's Host only when it names a loopback address (a
    developer's own machine), never a Host someone else wrote."""
    if public_url:
        return public_url
    origin = normalize_origin(f"{scheme}://{host}") if host else None
    if origin and is_localhost(origin):
        return origin
    return f"http://localhost:{port}"
