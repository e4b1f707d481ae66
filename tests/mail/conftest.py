from collections.abc import Iterator

import pytest

from tests.storage.conftest import message_store  # noqa: F401 (both stores)
from tests.support.smtp import SmtpInbox, smtp_inbox


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    with smtp_inbox() as inbox:
        yield inbox
