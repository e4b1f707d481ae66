"""What the server keeps of a widget's fingerprint, and the flags it raises."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from server.services.commands import VisitorHello
from server.services.visitors.fingerprint import Fingerprint, FingerprintKeys, visitor_flags

HASH = "9f86d081884c7d659a2feaa0c55ad015"
GOOD = {
    "canvas": "a3f1c2",
    "audio": "124.04347527516074",
    "webgl": "77aa01",
    "webgl_vendor": "Google Inc. (Intel)",
    "webgl_renderer": "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620)",
    "platform": "Linux x86_64",
    "time_zone": "Europe/Berlin",
    "screen": "1920x1080",
    "color_depth": 24,
    "cores": 8,
    "memory": 8,
    "touch": 0,
    "pixel_ratio": 1.25,
    "languages": ["de-DE", "en"],
    "webdriver": False,
}


def test_a_well_formed_fingerprint_is_kept_whole():
    fingerprint = Fingerprint.parse({"hash": HASH.upper(), "components": GOOD, "consent": True})

    assert fingerprint == Fingerprint(HASH, GOOD, (), consent=True)
    assert fingerprint.device() == {
        "color_depth": 24,
        "pixel_ratio": 1.25,
        "cores": 8,
        "memory": 8.0,
        "platform": "Linux x86_64",
        "languages": ["de-DE", "en"],
        "touch_points": 0,
        "gpu_vendor": "Google Inc. (Intel)",
        "gpu": "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620)",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("canvas", 123),
        ("canvas", ""),
        ("screen", ["1920", "1080"]),
        ("color_depth", "24"),
        ("color_depth", 24.5),
        ("cores", -1),
        ("cores", True),
        ("pixel_ratio", math.nan),
        ("pixel_ratio", math.inf),
        ("pixel_ratio", 1e9),
        ("languages", "en"),
        ("languages", ["en", 7]),
        ("webdriver", "false"),
        ("touch", None),
    ],
)
def test_a_bad_component_is_dropped_and_the_others_kept(name, value):
    fingerprint = Fingerprint.parse({"hash": HASH, "components": {**GOOD, name: value}})

    assert fingerprint.hash == HASH
    assert name not in fingerprint.components
    assert fingerprint.dropped == (name,)
    assert len(fingerprint.components) == len(GOOD) - 1


def test_long_text_is_cut_like_page_titles():
    long = {"webgl_renderer": "x" * 999, "languages": ["en-GB-" + "x" * 99] * 20}

    fingerprint = Fingerprint.parse({"hash": HASH, "components": long})

    assert fingerprint.components["webgl_renderer"] == "x" * 256
    assert len(fingerprint.components["languages"]) == 10
    assert {len(lang) for lang in fingerprint.components["languages"]} == {35}


def test_unknown_components_are_ignored():
    fingerprint = Fingerprint.parse({"hash": HASH, "components": {"fonts": ["Arial"], "cores": 4}})

    assert fingerprint.components == {"cores": 4}
    assert fingerprint.dropped == ()


def test_a_huge_components_object_is_dropped_whole():
    huge = {f"k{n}": "x" for n in range(5000)}

    fingerprint = Fingerprint.parse({"hash": HASH, "components": {**huge, **GOOD}})

    assert (fingerprint.hash, fingerprint.components, fingerprint.dropped) == (
        HASH,
        {},
        ("components",),
    )


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "abc",
        7,
        [],
        {},
        {"hash": "not hex!"},
        {"hash": "abc"},
        {"hash": 5},
        {"hash": "f" * 129},
    ],
)
def test_a_fingerprint_without_a_usable_hash_or_components_is_none(raw):
    assert Fingerprint.parse(raw) is None


def test_the_hello_keeps_the_visitor_when_the_fingerprint_is_garbage():
    hello = VisitorHello.parse({"site_key": "pk_x", "fingerprint": {"hash": [], "components": 3}})

    assert hello.site_key == "pk_x"
    assert hello.fingerprint is None


def test_the_stored_fingerprint_is_salted_per_site():
    keys = FingerprintKeys("server-secret-" + "s" * 30)

    one, again, other = keys.derive(1, HASH), keys.derive(1, HASH), keys.derive(2, HASH)

    assert one == again and one != other
    assert HASH not in (one, other) and len(one) == 64
    assert FingerprintKeys("another-secret-" + "s" * 30).derive(1, HASH) != one
    assert keys.derive(1, None) is None


WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)


def test_webdriver_and_headless_user_agents_are_flagged_automated():
    flags = visitor_flags(
        {"webdriver": True, "user_agent": "Mozilla/5.0 HeadlessChrome/131.0"}, {}, WINTER
    )

    assert flags == {
        "automated": {"reasons": ["navigator.webdriver is set", "headless browser user agent"]}
    }
    assert visitor_flags({"user_agent": "Mozilla/5.0 Chrome/131.0"}, {}, WINTER) == {}


def test_a_browser_clock_far_from_the_address_zone_is_flagged():
    flags = visitor_flags({"time_zone": "America/New_York"}, {"time_zone": "Europe/Berlin"}, WINTER)

    assert flags == {
        "time_zone_mismatch": {"browser": "America/New_York", "geo": "Europe/Berlin", "hours": -6.0}
    }


@pytest.mark.parametrize(
    ("browser", "geo"),
    [
        ("Europe/Paris", "Europe/Berlin"),  # two names, one offset
        ("Europe/Berlin", "Europe/Berlin"),
        ("Mars/Olympus", "Europe/Berlin"),  # unknown names say nothing
        ("../../etc/passwd", "Europe/Berlin"),
        (None, "Europe/Berlin"),
        ("Europe/Berlin", None),
    ],
)
def test_matching_or_unreadable_zones_are_not_flagged(browser, geo):
    assert visitor_flags({"time_zone": browser}, {"time_zone": geo}, WINTER) == {}


def test_private_addresses_are_not_compared():
    geo = {"time_zone": "Europe/Amsterdam", "private": True}

    assert visitor_flags({"time_zone": "Asia/Tokyo"}, geo, WINTER) == {}
