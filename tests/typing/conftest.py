"""Fixtures for the typing, presence and receipt suites: the realtime suite's, plus a second
agent of the same site and a way to switch site options."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import update

from server.domain import Role
from server.keys import auth_key, sites_key, sql_engine_key
from server.storage.sql.models import SiteRow
from tests.realtime.conftest import (  # noqa: F401  (fixtures)
    PAGE_A,
    SHOP_A,
    agent_a,
    login_token,
    tenant_a,
    tenant_b,
    visitor_of,
)
from tests.support.apps import PASSWORD


@pytest.fixture
def second_agent(app, base_url, tenant_a, socket_client):  # noqa: F811
    """Factory: another agent of site A ("Ana"), connected to /agent, session read."""

    async def connect(name: str = "Ana"):
        email = f"{name.lower()}@shop-a.test"
        agent = await app[auth_key].create_agent(email, PASSWORD, name=name)
        await app[auth_key].add_to_site(agent.id, tenant_a.site.id, Role.AGENT)
        client = await socket_client(
            "/agent", base_url, {"token": await login_token(base_url, email)}
        )
        client.session = await client.next("session")
        return client

    return connect


@pytest.fixture
def site_options(app):
    """``await site_options(tenant, typing_preview=False, ...)`` changes the site's widget."""

    async def change(tenant: Any, **options: Any) -> None:
        site = await app[sites_key].get(tenant.site.id)
        widget = dataclasses.replace(site.widget, **options)
        async with app[sql_engine_key].begin() as conn:
            await conn.execute(
                update(SiteRow)
                .where(SiteRow.id == site.id)
                .values(widget_settings=widget.to_dict())
            )
        app[sites_key].forget(site.id)  # as the console does after a change

    return change


async def drain(client, event: str) -> list[Any]:
    """Everything already received for ``event``, without waiting."""
    queue = client.events[event]
    found = []
    while not queue.empty():
        found.append(queue.get_nowait())
    return found
