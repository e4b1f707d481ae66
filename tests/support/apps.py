"""Building real apps for tests: a migrated SQLite file, a message store, and seeded data."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from argon2 import PasswordHasher

from server.app import create_app
from server.domain import Agent, Role, Site
from server.keys import auth_key, sites_key
from server.settings import Settings
from server.storage.sql.migrate import upgrade

SECRET = "test-secret-" + "x" * 40
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "correct horse battery"
# argon2's smallest cost: the suite's hashes guard nothing, and the default cost (a third
# of a second per hash or sign-in) would be most of many tests' time.
CHEAP_PASSWORDS = {"password_time_cost": 1, "password_memory_kib": 8, "password_parallelism": 1}


def cheap_password_hash(password: str) -> str:
    """A hash made at the test apps' cost, so signing in with it is not redone."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(password)


def migrated_template(directory: Path) -> Path:
    """Run the Alembic migrations once; each test copies the file instead of migrating."""
    path = directory / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def make_settings(
    tmp_path: Path,
    template: Path,
    *,
    mongodb_url: str | None = None,
    redis_url: str | None = None,
    **overrides: object,
) -> Settings:
    database = tmp_path / "porchlight.db"
    shutil.copyfile(template, database)
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{database}",
        mongodb_url=mongodb_url,
        mongodb_database=f"pl_test_{uuid.uuid4().hex[:12]}",
        redis_namespace=f"pltest-{uuid.uuid4().hex[:12]}",
        redis_url=redis_url,
        secret_key=SECRET,
        port=0,
        visitor_left_grace_seconds=0.3,
        agent_offline_grace_seconds=0.3,
        **(CHEAP_PASSWORDS | overrides),
    )


def build_app(settings: Settings) -> web.Application:
    return create_app(settings)


@dataclass
class Tenant:
    site: Site
    agent: Agent
    email: str


async def seed_tenant(
    app: web.Application,
    name: str,
    origins: list[str],
    *,
    email: str | None = None,
    role: Role = Role.OWNER,
) -> Tenant:
    site = await app[sites_key].create_site(name, origins)
    email = email or f"{uuid.uuid4().hex[:8]}@{name.lower().replace(' ', '')}.test"
    agent = await app[auth_key].create_agent(email, PASSWORD, name=f"{name} agent")
    await app[auth_key].add_to_site(agent.id, site.id, role)
    return Tenant(site=site, agent=agent, email=email)
