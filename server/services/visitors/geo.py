"""Where a client address is: country, region, city, coordinates and time zone.

Lookups go to a MaxMind database (GeoLite2 or GeoIP2, City or Country edition) through
``geoip2``. The default is the GeoLite2-City database shipped inside the
``maxminddb-geolite2`` package, so geolocation works with no setup; ``PORCHLIGHT_GEOIP_DB``
points at a fresher file. Results are cached (Redis on several nodes, memory on one), and
each node keeps the addresses it saw lately in its own memory too: a page view from an
address seen before asks nothing of Redis (a round trip costs more than the lookup).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import geoip2.database
import geoip2.errors

from server.storage.cache import Cache

log = logging.getLogger("porchlight.geo")

UNKNOWN: dict[str, Any] = {"unknown": True}
LOCATION_FIELDS = ("country_code", "country", "region", "city", "lat", "lon", "time_zone")
_REGIONAL_INDICATOR_A = 0x1F1E6
RECENT_ADDRESSES = 10_000  # answers a node keeps in its own memory


def default_database() -> Path:
    """The GeoLite2-City file inside the installed ``maxminddb-geolite2`` package."""
    return Path(str(resources.files("_maxminddb_geolite2").joinpath("GeoLite2-City.mmdb")))


def flag_emoji(country_code: str | None) -> str | None:
    """ "DE" → 🇩🇪 (two regional indicator symbols); None for anything else."""
    if not country_code or len(country_code) != 2 or not country_code.isascii():
        return None
    if not country_code.isalpha():
        return None
    return "".join(chr(_REGIONAL_INDICATOR_A + ord(c) - ord("A")) for c in country_code.upper())


def private_location(configured: Mapping[str, Any]) -> dict[str, Any]:
    """The location given to private, loopback and reserved addresses."""
    location: dict[str, Any] = {name: configured.get(name) for name in LOCATION_FIELDS}
    location["flag"] = flag_emoji(location["country_code"])
    location["private"] = True
    return location


class GeoService:
    """``locate(ip)`` → ``{country_code, country, flag, region, city, lat, lon, time_zone}``.

    Private, loopback and reserved addresses get the configured default location with
    ``private: true``; an address the database does not know, or no address at all, is
    ``{"unknown": true}``. Nothing here raises for a bad address.
    """

    def __init__(
        self,
        cache: Cache,
        database: Path | None = None,
        *,
        private: Mapping[str, Any] | None = None,
        ttl_seconds: int = 24 * 3600,
    ) -> None:
        self._cache = cache
        self._path = database or default_database()
        self._private = private_location(private or {})
        self._ttl = ttl_seconds
        self._reader: geoip2.database.Reader | None = None
        self._city_edition = True
        # Least recently used first; each answer with the time it expires.
        self._recent: dict[str, tuple[float, dict[str, Any]]] = {}

    @property
    def database(self) -> Path:
        return self._path

    def open(self) -> None:
        """Open the database (memory-mapped); a missing or corrupt file fails here, at start."""
        reader = geoip2.database.Reader(str(self._path))
        self._city_edition = "Country" not in reader.metadata().database_type
        self._reader = reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    async def locate(self, ip: str | None) -> dict[str, Any]:
        address = _address(ip)
        if address is None:
            return dict(UNKNOWN)
        if not address.is_global or address.is_multicast:
            return dict(self._private)
        key = f"geo:{address}"
        recent = self._recent.pop(key, None)
        if recent is not None and recent[0] > time.monotonic():
            self._recent[key] = recent
            return dict(recent[1])
        cached = await self._cache.get(key)
        if cached is not None:
            found = json.loads(cached)
        else:
            found = self.lookup(address)
            await self._cache.set(key, json.dumps(found), self._ttl)
        self._recent[key] = (time.monotonic() + self._ttl, found)
        if len(self._recent) > RECENT_ADDRESSES:
            del self._recent[next(iter(self._recent))]
        return dict(found)

    def lookup(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> dict[str, Any]:
        """The database's answer for a public address, uncached."""
        if self._reader is None:
            return dict(UNKNOWN)
        try:
            if self._city_edition:
                return _from_city(self._reader.city(str(address)))
            return _from_country(self._reader.country(str(address)))
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return dict(UNKNOWN)
        except Exception:  # a damaged record must not break a visitor's connection
            log.exception("geoip lookup of %s failed", address)
            return dict(UNKNOWN)


def _address(ip: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not ip or len(ip) > 64:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _from_country(answer: Any) -> dict[str, Any]:
    code = answer.country.iso_code
    if not code:
        return dict(UNKNOWN)
    return {
        "country_code": code,
        "country": answer.country.name,
        "flag": flag_emoji(code),
        "region": None,
        "city": None,
        "lat": None,
        "lon": None,
        "time_zone": None,
    }


def _from_city(answer: Any) -> dict[str, Any]:
    found = _from_country(answer)
    location = answer.location
    if found.get("unknown") and location.latitude is None:
        return found
    found.pop("unknown", None)
    found.update(
        region=answer.subdivisions.most_specific.name,
        city=answer.city.name,
        lat=location.latitude,
        lon=location.longitude,
        time_zone=location.time_zone,
    )
    if "country_code" not in found:
        found.update(country_code=None, country=None, flag=None)
    return found
