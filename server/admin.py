"""Operator tasks the CLI runs outside the web app: sites, agents and the demo seed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from server.domain import Agent, Role, Site
from server.services.console.sites import SiteService
from server.services.team.auth import AuthService, password_hasher
from server.services.team.tokens import TokenSigner
from server.settings import Settings
from server.storage.sql.agents import AgentRepository
from server.storage.sql.audit import AuditRepository
from server.storage.sql.engine import make_engine, make_sessionmaker
from server.storage.sql.sites import SiteRepository

DEMO_EMAIL = "demo@porchlight.test"
DEMO_PASSWORD = "porchlight-demo"


@dataclass(frozen=True, slots=True)
class Admin:
    sites: SiteService
    auth: AuthService
    site_repo: SiteRepository


@asynccontextmanager
async def admin_services(settings: Settings) -> AsyncIterator[Admin]:
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    site_repo, audit = SiteRepository(sessions), AuditRepository(sessions)
    try:
        yield Admin(
            sites=SiteService(site_repo, audit),
            auth=AuthService(
                AgentRepository(sessions),
                site_repo,
                audit,
                TokenSigner(settings.secret_key),
                settings.agent_token_ttl_seconds,
                password_hasher(settings),
            ),
            site_repo=site_repo,
        )
    finally:
        await engine.dispose()


async def create_agent(
    admin: Admin, email: str, password: str, site_key: str, role: Role, name: str | None = None
) -> Agent:
    site = await admin.sites.by_key(site_key)
    agent = await admin.auth.create_agent(email, password, name)
    await admin.auth.add_to_site(agent.id, site.id, role)
    return agent


async def seed_demo(admin: Admin, settings: Settings, demo_port: int) -> Site:
    """The demo site and its owner, made once; later runs find them again."""
    marker = settings.data_dir / "demo.json"
    if marker.exists():
        site = await admin.site_repo.get_by_key(json.loads(marker.read_text())["site_key"])
        if site is not None:
            return site
    origins = [f"http://localhost:{demo_port}", f"http://127.0.0.1:{demo_port}"]
    site = await admin.sites.create_site("Acme Outdoor", origins)
    agent = await admin.auth.create_agent(DEMO_EMAIL, DEMO_PASSWORD, "Dana Demo")
    await admin.auth.add_to_site(agent.id, site.id, Role.OWNER)
    marker.write_text(json.dumps({"site_key": site.site_key}))
    return site
