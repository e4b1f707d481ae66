"""Everything the owner's console adds, built in one call from ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker

from server.services.arrivals import Arrivals
from server.services.broadcast import Broadcaster
from server.services.chat.admission import VisitorGate
from server.services.chat.saved_replies import SavedReplyService
from server.services.chat.workflow import WorkflowSettings
from server.services.console.service import ConsoleService
from server.services.console.site_admin import SiteAdminService
from server.services.console.sites import SiteService
from server.services.departures import Departures
from server.services.integrations.webhooks import WebhookService
from server.services.mail.mailer import Mailer
from server.services.team.api_keys import ApiKeyService
from server.services.team.auth import AuthService
from server.services.team.invites import InviteService
from server.services.team.service import AccountService, TeamService
from server.services.team.tokens import TokenSigner
from server.services.visitors.blocking import BlockingService
from server.services.visitors.identity import IdentityService
from server.settings import Settings
from server.storage.cache import Cache
from server.storage.sql.api_keys import ApiKeyRepository
from server.storage.sql.audit import AuditRepository
from server.storage.sql.blocks import BlockRepository
from server.storage.sql.invites import InviteRepository
from server.storage.sql.saved_replies import SavedReplyRepository
from server.storage.sql.site_admin import SiteAdminRepository
from server.storage.sql.sites import SiteRepository
from server.storage.sql.team import TeamRepository


@dataclass(frozen=True, slots=True)
class ConsoleKit:
    console: ConsoleService
    site_admin: SiteAdminService
    team: TeamService
    invites: InviteService
    api_keys: ApiKeyService
    gate: VisitorGate
    account: AccountService
    replies: SavedReplyService

    @classmethod
    def build(
        cls,
        settings: Settings,
        sessions: async_sessionmaker,
        cache: Cache,
        sites: SiteService,
        site_repo: SiteRepository,
        auth: AuthService,
        tokens: TokenSigner,
        broadcast: Broadcaster,
        audit: AuditRepository,
        departures: Departures,
        *,
        arrivals: Arrivals | None = None,
        webhooks: WebhookService | None = None,
        workflow: WorkflowSettings | None = None,
    ) -> ConsoleKit:
        team_repo = TeamRepository(sessions)
        admin_repo = SiteAdminRepository(sessions)
        blocking = BlockingService(BlockRepository(sessions))
        gate = VisitorGate(blocking, cache, sites)
        team = TeamService(team_repo, cache, broadcast, departures, arrivals)
        invites = InviteService(
            InviteRepository(sessions),
            team_repo,
            site_repo,
            auth,
            tokens,
            Mailer(settings.smtp_url, settings.mail_from),
            settings.invite_ttl_seconds,
        )
        api_keys = ApiKeyService(ApiKeyRepository(sessions), cache)
        replies = SavedReplyService(
            SavedReplyRepository(sessions), cache, settings.max_message_chars
        )
        site_admin = SiteAdminService(sites, admin_repo, team_repo, team, auth, gate, broadcast)
        console = ConsoleService(
            sites,
            site_admin,
            team,
            invites,
            api_keys,
            IdentityService(admin_repo),
            blocking,
            audit,
            gate,
            replies,
            webhooks=webhooks,
            workflow=workflow,
            two_factor=auth.two_factor,
            broadcast=broadcast,
        )
        account = AccountService(auth, team_repo, team)
        return cls(console, site_admin, team, invites, api_keys, gate, account, replies)
