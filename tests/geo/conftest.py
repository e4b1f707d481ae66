"""Small GeoIP databases with known networks, written with mmdb-writer for each session."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

# Documentation-free public networks: the answers below are what these test files say,
# not what the real world says.
LONDON = {
    "continent": {"code": "EU", "names": {"en": "Europe"}},
    "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
    "subdivisions": [{"iso_code": "ENG", "names": {"en": "England"}}],
    "city": {"names": {"en": "London"}},
    "location": {"latitude": 51.5142, "longitude": -0.0931, "time_zone": "Europe/London"},
}
BERLIN = {
    "country": {"iso_code": "DE", "names": {"en": "Germany"}},
    "subdivisions": [{"iso_code": "BE", "names": {"en": "Land Berlin"}}],
    "city": {"names": {"en": "Berlin"}},
    "location": {"latitude": 52.5244, "longitude": 13.4105, "time_zone": "Europe/Berlin"},
}
COUNTRY_ONLY = {"country": {"iso_code": "FR", "names": {"en": "France"}}}

LONDON_IP = "81.2.69.160"
BERLIN_IPV6 = "2a02:cd80::1"
FRANCE_IP = "90.120.0.7"
NOT_IN_DB = "8.8.4.4"


def _write(path: Path, database_type: str, networks: dict[str, dict]) -> Path:
    writer = MMDBWriter(
        ip_version=6, ipv4_compatible=True, database_type=database_type, languages=["en"]
    )
    for network, record in networks.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="session")
def city_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(
        tmp_path_factory.mktemp("geo") / "test-city.mmdb",
        "GeoLite2-City",
        {"81.2.69.0/24": LONDON, "2a02:cd80::/32": BERLIN, "90.120.0.0/16": COUNTRY_ONLY},
    )


@pytest.fixture(scope="session")
def country_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    country = {k: v for k, v in LONDON.items() if k in ("continent", "country")}
    return _write(
        tmp_path_factory.mktemp("geo") / "test-country.mmdb",
        "GeoLite2-Country",
        {"81.2.69.0/24": country},
    )


# --- apps that locate their visitors with the test database ----------------------------

from tests.realtime.conftest import agent_a, tenant_a, visitor_of  # noqa: E402, F401


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "trusted_proxies(*cidrs): the app believes X-Forwarded-For from these"
    )


@pytest.fixture
def app_settings(app_settings, city_db, request):
    marker = request.node.get_closest_marker("trusted_proxies")
    cidrs = marker.args if marker else ("127.0.0.1/32",)
    return app_settings.with_(
        geoip_db=city_db,
        trusted_proxies=tuple(ip_network(cidr) for cidr in cidrs),
        geoip_private_location={
            "country_code": "NL",
            "city": "Office",
            "time_zone": "Europe/Amsterdam",
        },
    )
