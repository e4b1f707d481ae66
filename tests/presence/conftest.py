"""The typing suite's fixtures (the realtime ones, a second agent, site options)."""

from tests.typing.conftest import (  # noqa: F401  (fixtures)
    SHOP_A,
    agent_a,
    login_token,
    second_agent,
    site_options,
    tenant_a,
    tenant_b,
    visitor_of,
)
