from __future__ import annotations

import uuid

import pytest

from server.domain import Role
from server.keys import auth_key, console_key
from server.services.console.service import Actor
from tests.realtime.conftest import SHOP_A, SHOP_B, login_token, tenant_a, tenant_b, visitor_of
from tests.support.apps import PASSWORD

__all__ = ["SHOP_A", "SHOP_B", "tenant_a", "tenant_b", "visitor_of"]


@pytest.fixture
def agent_of(base_url, socket_client):
    """Factory: a signed-in /agent socket for an email, its `session` already read."""

    async def connect(email: str):
        client = await socket_client(
            "/agent", base_url, {"token": await login_token(base_url, email)}
        )
        client.session = await client.next("session")
        return client

    return connect


@pytest.fixture
def teammate_of(app):
    """Factory: another agent on a tenant's site (role agent unless told), with its email."""

    async def add(tenant, name: str = "Sam", role: Role = Role.AGENT):
        email = f"{uuid.uuid4().hex[:8]}@team.test"
        agent = await app[auth_key].create_agent(email, PASSWORD, name=name)
        await app[auth_key].add_to_site(agent.id, tenant.site.id, role)
        return agent, email

    return add


@pytest.fixture
def define_tag(app):
    async def define(tenant, name: str, color: str = "#16a34a"):
        ctx = await app[auth_key].authenticate(await _token(app, tenant.email))
        result = await app[console_key].console.run(
            "add_tag", Actor(ctx), tenant.site.id, {"name": name, "color": color}
        )
        return result["tag"]

    return define


async def _token(app, email: str) -> str:
    return await app[auth_key].login(email, PASSWORD, ip="127.0.0.1")
