from tests.realtime.conftest import agent_a, tenant_a, tenant_b, visitor_of  # noqa: F401
