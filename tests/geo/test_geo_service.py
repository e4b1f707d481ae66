"""GeoService against small known databases and the bundled GeoLite2-City."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.services.visitors.geo import GeoService, default_database, flag_emoji
from server.settings import ConfigError, Settings
from server.storage.cache import MemoryCache
from tests.geo.conftest import BERLIN_IPV6, FRANCE_IP, LONDON_IP, NOT_IN_DB

OFFICE = {
    "country_code": "DE",
    "city": "Köln",
    "lat": 50.94,
    "lon": 6.96,
    "time_zone": "Europe/Berlin",
}


class CountingCache(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.gets: list[str] = []
        self.sets: list[str] = []

    async def get(self, key: str) -> str | None:
        self.gets.append(key)
        return await super().get(key)

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        self.sets.append(key)
        await super().set(key, value, ttl_seconds)


def service(path: Path, **options) -> GeoService:
    geo = GeoService(CountingCache(), path, **options)
    geo.open()
    return geo


async def test_a_public_address_has_country_region_city_coordinates_and_zone(city_db):
    geo = service(city_db)

    assert await geo.locate(LONDON_IP) == {
        "country_code": "GB",
        "country": "United Kingdom",
        "flag": "🇬🇧",
        "region": "England",
        "city": "London",
        "lat": 51.5142,
        "lon": -0.0931,
        "time_zone": "Europe/London",
    }


async def test_ipv6_and_ipv4_mapped_addresses_are_found(city_db):
    geo = service(city_db)

    assert (await geo.locate(BERLIN_IPV6))["city"] == "Berlin"
    assert (await geo.locate(f"::ffff:{LONDON_IP}"))["city"] == "London"


async def test_a_network_known_only_by_country_has_no_city(city_db):
    found = await service(city_db).locate(FRANCE_IP)

    assert found["country_code"] == "FR" and found["flag"] == "🇫🇷"
    assert (found["city"], found["lat"], found["time_zone"]) == (None, None, None)


async def test_the_country_edition_answers_with_the_country(country_db):
    found = await service(country_db).locate(LONDON_IP)

    assert found == {
        "country_code": "GB",
        "country": "United Kingdom",
        "flag": "🇬🇧",
        "region": None,
        "city": None,
        "lat": None,
        "lon": None,
        "time_zone": None,
    }


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.9", "172.16.5.5", "::1", "fe80::1", "0.0.0.0"]
)
async def test_private_loopback_and_reserved_addresses_get_the_configured_location(
    city_db, address
):
    geo = service(city_db, private=OFFICE)

    found = await geo.locate(address)

    assert found == {
        "country_code": "DE",
        "country": None,
        "flag": "🇩🇪",
        "region": None,
        "city": "Köln",
        "lat": 50.94,
        "lon": 6.96,
        "time_zone": "Europe/Berlin",
        "private": True,
    }


async def test_without_a_configured_location_private_addresses_are_just_private(city_db):
    found = await service(city_db).locate("192.168.1.1")

    assert found["private"] is True
    assert found["country_code"] is None and found["city"] is None


@pytest.mark.parametrize("address", [NOT_IN_DB, None, "", "not an address", "999.1.1.1", "x" * 500])
async def test_unknown_and_malformed_addresses_are_unknown_never_an_error(city_db, address):
    assert await service(city_db).locate(address) == {"unknown": True}


async def test_a_lookup_is_cached(city_db):
    geo = service(city_db)

    first = await geo.locate(LONDON_IP)
    geo.close()  # the second answer can only come from the cache
    second = await geo.locate(LONDON_IP)

    assert second == first
    assert geo._cache.sets == [f"geo:{LONDON_IP}"]


async def test_an_address_seen_lately_is_answered_without_the_shared_cache(city_db):
    geo = service(city_db)

    first = await geo.locate(LONDON_IP)
    first["city"] = "changed by its caller"
    second = await geo.locate(LONDON_IP)

    assert second["city"] == "London"
    assert geo._cache.gets == [f"geo:{LONDON_IP}"]  # asked once, for the first


async def test_unknown_answers_are_cached_too(city_db):
    geo = service(city_db)

    await geo.locate(NOT_IN_DB)
    await geo.locate(NOT_IN_DB)

    assert geo._cache.sets == [f"geo:{NOT_IN_DB}"]


async def test_the_bundled_geolite2_database_knows_public_addresses():
    geo = GeoService(MemoryCache())
    geo.open()

    assert geo.database == default_database()
    assert (await geo.locate("8.8.8.8"))["country_code"] == "US"
    stockholm = await geo.locate("89.160.20.112")
    assert (stockholm["country_code"], stockholm["time_zone"]) == ("SE", "Europe/Stockholm")
    assert stockholm["flag"] == "🇸🇪"
    assert isinstance(stockholm["lat"], float) and isinstance(stockholm["lon"], float)


def test_flags_are_made_of_regional_indicators():
    assert flag_emoji("de") == "🇩🇪"
    assert [flag_emoji(x) for x in (None, "", "D", "DEU", "1A", "ÄB")] == [None] * 6


def test_the_private_location_comes_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "PORCHLIGHT_DATA_DIR": str(tmp_path),
            "PORCHLIGHT_GEOIP_PRIVATE_LOCATION": "country_code=de, city=Köln, lat=50.94, "
            "lon=6.96,time_zone=Europe/Berlin",
            "PORCHLIGHT_VISIT_GAP_MINUTES": "45",
        }
    )

    assert settings.geoip_private_location == OFFICE
    assert settings.visit_gap_seconds == 45 * 60


@pytest.mark.parametrize(
    ("value", "named"),
    [("lat=north", "lat must be a number"), ("planet=Mars", "'planet=Mars'"), ("city", "'city'")],
)
def test_a_malformed_private_location_names_the_variable(tmp_path, value, named):
    with pytest.raises(ConfigError, match="PORCHLIGHT_GEOIP_PRIVATE_LOCATION") as raised:
        Settings.from_env(
            {"PORCHLIGHT_DATA_DIR": str(tmp_path), "PORCHLIGHT_GEOIP_PRIVATE_LOCATION": value}
        )
    assert named in str(raised.value)


async def test_a_damaged_database_fails_at_start(tmp_path):
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a database")

    with pytest.raises(Exception, match=r"metadata|database"):
        GeoService(MemoryCache(), broken).open()
