"""A site with an owner, an admin and an agent, a second site with its own owner, and
helpers to call the console over HTTP (Bearer or cookie + CSRF) and over the socket."""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from server.domain import Agent, Role, Site
from server.keys import auth_key, sites_key, sql_engine_key
from server.services.console.service import OPERATIONS
from server.storage.sql.agents import AgentRepository
from server.storage.sql.engine import make_sessionmaker
from tests.support.apps import PASSWORD, cheap_password_hash, make_settings

SHOP_A = "http://shop-a.test"
SHOP_B = "http://shop-b.test"
PAGE_A = {"url": "http://shop-a.test/", "title": "Home", "referrer": ""}


@pytest.fixture
async def app_settings(tmp_path, sql_template):
    """Console tests run on the embedded shape; modules that exercise sockets across
    Redis and MongoDB as well import ``both_shapes`` as their ``app_settings``."""
    return make_settings(tmp_path, sql_template)


@dataclass
class Person:
    agent: Agent
    email: str
    token: str = ""


@dataclass
class Team:
    site: Site
    owner: Person
    admin: Person
    agent: Person
    other_site: Site
    other_owner: Person

    def by_role(self, role: str) -> Person:
        return {
            "owner": self.owner,
            "admin": self.admin,
            "agent": self.agent,
            "outsider": self.other_owner,
        }[role]


@functools.cache
def password_hash() -> str:
    """The suite's agents share one hash of PASSWORD."""
    return cheap_password_hash(PASSWORD)


async def add_person(app, site: Site, role: Role, label: str) -> Person:
    email = f"{label}-{uuid.uuid4().hex[:6]}@{site.name.lower().replace(' ', '')}.test"
    agents = AgentRepository(make_sessionmaker(app[sql_engine_key]))
    agent = await agents.create(email=email, name=label.title(), password_hash=password_hash())
    await app[auth_key].add_to_site(agent.id, site.id, role)
    return Person(agent, email, app[auth_key].issue_token(agent))


@pytest.fixture
async def team(app, server, base_url) -> Team:
    site_a = await app[sites_key].create_site("Shop A", [SHOP_A])
    site_b = await app[sites_key].create_site("Shop B", [SHOP_B])
    return Team(
        site=site_a,
        owner=await add_person(app, site_a, Role.OWNER, "owner"),
        admin=await add_person(app, site_a, Role.ADMIN, "admin"),
        agent=await add_person(app, site_a, Role.AGENT, "agent"),
        other_site=site_b,
        other_owner=await add_person(app, site_b, Role.OWNER, "owner"),
    )


class Api:
    """The JSON console API with a Bearer token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def request(
        self, method: str, path: str, token: str | None, body: Any = None, **headers: str
    ) -> tuple[int, dict[str, Any]]:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with (
            aiohttp.ClientSession() as http,
            http.request(
                method,
                self.base_url + path,
                json=body,
                headers=headers,
            ) as response,
        ):
            return response.status, await response.json()


@pytest.fixture
def api(base_url) -> Api:
    return Api(base_url)


async def browser_session(base_url: str, email: str) -> aiohttp.ClientSession:
    """A cookie session signed in through the login form, as the dashboard is."""
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.post(
        f"{base_url}/dashboard/login",
        data={"email": email, "password": PASSWORD, "next": "/dashboard"},
        allow_redirects=False,
    ) as response:
        assert response.status == 302
    return http


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def every_operation() -> list[str]:
    return sorted(OPERATIONS)
