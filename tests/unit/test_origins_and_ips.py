from __future__ import annotations

import ipaddress

import pytest

from server.services.console.origins import link_base, normalize_origin, origin_allowed
from server.services.protection.client_ip import client_ip

ALLOWED = ["https://shop.example", "http://localhost:8081", "https://*.example.org"]


@pytest.mark.parametrize(
    ("origin", "ok"),
    [
        ("https://shop.example", True),
        ("https://SHOP.example:443", True),
        ("http://shop.example", False),
        ("https://shop.example.evil.com", False),
        ("http://localhost:8081", True),
        ("http://localhost:8082", False),
        ("https://a.example.org", True),
        ("https://deep.a.example.org", True),
        ("https://example.org", False),
        ("https://evilexample.org", False),
        ("null", False),
        (None, False),
    ],
)
def test_origin_allowed(origin, ok):
    assert origin_allowed(origin, ALLOWED) is ok


def test_normalize_origin_drops_paths_and_default_ports():
    assert normalize_origin("HTTPS://Shop.Example:443/cart?x=1") == "https://shop.example"
    assert normalize_origin("ftp://x") is None
    assert normalize_origin("http://[::1]:8080") == "http://[::1]:8080"


PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # untrusted peer: header ignored
        ("10.0.0.5", "1.2.3.4", "1.2.3.4"),
        ("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.7", "1.2.3.4"),  # spoofed left part ignored
        ("10.0.0.5", "garbage", "10.0.0.5"),
        ("10.0.0.5", "10.0.0.9", "10.0.0.5"),
    ],
)
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(peer, header, expected):
    assert client_ip(peer, header, PROXIES) == expected


@pytest.mark.parametrize(
    ("public_url", "host", "link"),
    [
        ("https://chat.example.com", "evil.example", "https://chat.example.com"),
        (None, "evil.example", "http://localhost:8080"),
        (None, "evil.example:8080", "http://localhost:8080"),
        (None, "127.0.0.1:8080", "http://127.0.0.1:8080"),
        (None, "localhost:9000", "http://localhost:9000"),
        (None, None, "http://localhost:8080"),
    ],
)
def test_links_for_people_never_take_a_forged_host(public_url, host, link):
    assert link_base(public_url, "http", host, 8080) == link
