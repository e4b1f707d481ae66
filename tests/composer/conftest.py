"""The chat fixtures of tests/realtime: two tenants, an agent socket, visitor widgets."""

from tests.realtime.conftest import (  # noqa: F401
    PAGE_A,
    SHOP_A,
    SHOP_B,
    agent_a,
    login_token,
    tenant_a,
    tenant_b,
    visitor_of,
)
