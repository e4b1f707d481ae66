from collections.abc import Iterator

import pytest

from server.rate_limit_rules import RateLimitRules
from tests.realtime.conftest import agent_a, login_token, tenant_a, visitor_of  # noqa: F401
from tests.storage.conftest import message_store  # noqa: F401 (both stores)
from tests.support.fixtures import app_settings as both_shapes  # noqa: F401 (a fixture)
from tests.support.smtp import SmtpInbox, smtp_inbox

BATCH_SECONDS = 2.0  # a burst of ten must fit in it on a busy machine


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    with smtp_inbox() as inbox:
        yield inbox


@pytest.fixture
def app_settings(both_shapes, smtp):  # noqa: F811 (the shared fixture, with SMTP set)
    return both_shapes.with_(
        smtp_url=smtp.url,
        mail_from="Shop A <help@shop-a.test>",
        mail_batch_seconds=BATCH_SECONDS,
        mail_poll_seconds=0.05,
        mail_first_retry_seconds=0.2,
        public_url="https://chat.shop-a.test",
        rate_limits=RateLimitRules(message_visitor="100/10 seconds"),  # bursts of ten and more
    )
