"""The client's address: the socket peer, or X-Forwarded-For when the peer is a trusted proxy."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

from server.settings import IPNetwork


def client_ip(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]
) -> str | None:
    """Walk X-Forwarded-For from the right, skipping trusted proxies; the first untrusted
    hop is the client. A header from an untrusted peer is ignored: anyone can write one."""
    if not peer or not forwarded_for or not _trusted(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        if _parsed(hop) is None:
            return peer
        if not _trusted(hop, trusted):
            return hop
    return peer


def _trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    ip = _parsed(address)
    return ip is not None and any(ip in network for network in trusted)


# Every connection and request parses its peer and forwarded hops; few distinct ones recur.
@functools.lru_cache(maxsize=4096)
def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None
