from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mongo_server import mongodb_url

pytest_plugins = ["tests.support.fixtures"]

TESTS = Path(__file__).resolve().parent
# With the suite spread over several workers, these run one after another on one worker:
# Chromium tests, so two browsers never compete for the cores; tests that start real
# servers on ports of a fixed range (tests/resilience/processes.py), so two never meet.
ONE_WORKER = {
    "browser": ("browser",),
    "processes": (
        "resilience",
        "cache/test_redis_restart.py",
        "ops/test_backup.py",
        "ops/test_health.py",
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(TESTS).as_posix()
        for group, prefixes in ONE_WORKER.items():
            if where.startswith(prefixes):
                item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One MongoDB for the whole session; tests keep apart by database name."""
    with mongodb_url(tmp_path_factory.mktemp("mongodb")) as url:
        yield url
