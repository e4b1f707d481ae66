"""Browser fingerprints and the signals read from them.

The widget sends ``fingerprint: {hash, components}`` at connect. The hash is the widget's
digest of the components; the server never stores it as is but as
HMAC-SHA256(site salt, hash), so the same browser has unrelated fingerprints on two
sites and a stored value says nothing without the site's salt. The components are
checked one by one: a malformed one is dropped, the rest are kept, and nothing here
refuses a connection.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

HASH = re.compile(r"^[0-9a-f]{16,128}$")
MAX_KEYS = 64  # a components object with more keys is dropped whole

# name → (kind, limit): text max length; int/float range; list of text (items, length)
COMPONENTS: dict[str, tuple[str, Any]] = {
    "canvas": ("text", 128),
    "audio": ("text", 128),
    "webgl": ("text", 128),
    "webgl_vendor": ("text", 128),
    "webgl_renderer": ("text", 256),
    "platform": ("text", 64),
    "time_zone": ("text", 64),
    "screen": ("text", 20),
    "color_depth": ("int", (0, 64)),
    "cores": ("int", (0, 1024)),
    "memory": ("float", (0, 1024)),
    "touch": ("int", (0, 64)),
    "pixel_ratio": ("float", (0, 16)),
    "languages": ("list", (10, 35)),
    "webdriver": ("bool", None),
}

# Components worth showing agents as device facts (the hashes are not).
DEVICE_COMPONENTS = {
    "color_depth": "color_depth",
    "pixel_ratio": "pixel_ratio",
    "cores": "cores",
    "memory": "memory",
    "platform": "platform",
    "languages": "languages",
    "touch": "touch_points",
    "webgl_vendor": "gpu_vendor",
    "webgl_renderer": "gpu",
}

HEADLESS_AGENT = re.compile(r"HeadlessChrome|PhantomJS|SlimerJS|Headless|puppeteer", re.I)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the widget sent, checked. ``dropped`` names the components that were refused."""

    hash: str | None
    components: dict[str, Any] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()
    consent: bool = False  # the page called Porchlight('consent', true)

    @classmethod
    def parse(cls, raw: Any) -> Fingerprint | None:
        """Never raises: a missing or malformed fingerprint is None."""
        if not isinstance(raw, dict):
            return None
        digest = raw.get("hash")
        digest = digest.lower() if isinstance(digest, str) and HASH.match(digest.lower()) else None
        components, dropped = parse_components(raw.get("components"))
        if digest is None and not components:
            return None
        return cls(digest, components, dropped, consent=raw.get("consent") is True)

    def device(self) -> dict[str, Any]:
        """The components that describe the device, under the names agents see."""
        return {
            name: self.components[key]
            for key, name in DEVICE_COMPONENTS.items()
            if key in self.components
        }


def parse_components(raw: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    if not isinstance(raw, dict):
        return {}, ("components",) if raw is not None else ()
    if len(raw) > MAX_KEYS:
        return {}, ("components",)
    kept: dict[str, Any] = {}
    dropped = []
    for key, value in raw.items():
        spec = COMPONENTS.get(key) if isinstance(key, str) else None
        if spec is None:
            continue  # unknown names are ignored, like unknown device fields
        checked = _check(spec, value)
        if checked is None:
            dropped.append(key)
        else:
            kept[key] = checked
    return kept, tuple(sorted(dropped))


def _check(spec: tuple[str, Any], value: Any) -> Any:
    """The component as kept (long text is cut, like page titles), or None to drop it."""
    kind, limit = spec
    if kind == "text":
        return value[:limit] if isinstance(value, str) and value else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "list":
        items, length = limit
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return None
        return [v[:length] for v in value[:items]]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    low, high = limit
    if not math.isfinite(value) or not low <= value <= high:
        return None
    if kind == "int":
        return int(value) if float(value).is_integer() else None
    return float(value)


class FingerprintKeys:
    """Per-site salts, derived from the server secret: HMAC(secret, "fingerprint salt" + site).

    Derived rather than stored, so every node agrees without a schema change; rotating
    ``PORCHLIGHT_SECRET_KEY`` forgets fingerprints just as it voids visitor tokens.
    """

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def salt(self, site_id: int) -> bytes:
        return hmac.new(self._secret, f"fingerprint salt {site_id}".encode(), "sha256").digest()

    def derive(self, site_id: int, client_hash: str | None) -> str | None:
        """The stored fingerprint: HMAC-SHA256 of the widget's hash under the site's salt."""
        if not client_hash:
            return None
        return hmac.new(self.salt(site_id), client_hash.encode(), hashlib.sha256).hexdigest()


def visitor_flags(
    device: dict[str, Any], geo: dict[str, Any], now: datetime
) -> dict[str, dict[str, Any]]:
    """Signals agents see beside a visitor.

    ``automated``: the browser says it is driven by a program (``navigator.webdriver``) or
    its user agent names a headless browser. ``time_zone_mismatch``: the browser's clock
    is set to a zone whose current UTC offset differs from the one where its address
    is (a VPN, a proxy, or a traveller); zones with the same offset are not a mismatch.
    """
    flags: dict[str, dict[str, Any]] = {}
    reasons = []
    if device.get("webdriver") is True:
        reasons.append("navigator.webdriver is set")
    if HEADLESS_AGENT.search(device.get("user_agent") or ""):
        reasons.append("headless browser user agent")
    if reasons:
        flags["automated"] = {"reasons": reasons}
    browser_zone, geo_zone = device.get("time_zone"), geo.get("time_zone")
    if browser_zone and geo_zone and not geo.get("private"):
        browser_offset, geo_offset = _offset(browser_zone, now), _offset(geo_zone, now)
        if browser_offset is not None and geo_offset is not None and browser_offset != geo_offset:
            flags["time_zone_mismatch"] = {
                "browser": browser_zone,
                "geo": geo_zone,
                "hours": round((browser_offset - geo_offset) / 3600, 2),
            }
    return flags


def _offset(zone: str, now: datetime) -> float | None:
    info = _zone(zone)
    offset = now.astimezone(info).utcoffset() if info is not None else None
    return offset.total_seconds() if offset is not None else None


# ZoneInfo keeps only 8 zones loaded: with visitors from more places than that, each page
# view read and parsed two zone files (70 µs each).
@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # unknown or malformed zone name
        return None
