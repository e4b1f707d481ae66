from tests.realtime.conftest import agent_a, tenant_a, tenant_b, visitor_of  # noqa: F401
from tests.storage.conftest import message_store  # noqa: F401
