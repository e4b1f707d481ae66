from collections.abc import Iterator

import pytest

from tests.mongo_server import mongodb_url

pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One MongoDB for the whole session; tests keep apart by database name."""
    with mongodb_url(tmp_path_factory.mktemp("mongodb")) as url:
        yield url
