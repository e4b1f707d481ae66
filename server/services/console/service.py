"""The owner's console as one list of operations, shared by the JSON API, the /agent socket
and the console's forms.

Every operation names the permission it needs (``permissions.RULES``); ``run`` looks up the
caller's role in that site fresh from the database, refuses what the role may not do, calls
the operation, and writes the audit log entry for anything that changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.domain import Forbidden, InvalidInput, NotFound, Role
from server.services import commands
from server.services.broadcast import Broadcaster
from server.services.chat.admission import VisitorGate
from server.services.chat.saved_replies import SavedReplyService
from server.services.chat.workflow import WorkflowSettings
from server.services.console.site_admin import SiteAdminService
from server.services.console.sites import SiteService
from server.services.team.api_keys import ApiKeyService
from server.services.team.auth import AgentContext
from server.services.team.invites import InviteService, parse_role
from server.services.team.permissions import Action, permits, require, require_key
from server.services.team.service import TeamService
from server.services.visitors.blocking import BlockingService
from server.services.visitors.identity import IdentityService
from server.storage.sql.audit import AuditRepository

if TYPE_CHECKING:
    from server.services.console.business_hours import HoursService
    from server.services.integrations.webhooks import WebhookService
    from server.services.team.two_factor import TwoFactorService
    from server.services.visitors.privacy import PrivacyService
    from server.services.visitors.retention import RetentionService

AUDIT_PAGE = 50


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking, and from where (the client address after trusted proxies)."""

    ctx: AgentContext
    ip: str | None = None
    base_url: str = ""  # where invite links point
    connection: str | None = None  # the socket asking, when it is one


@dataclass(frozen=True, slots=True)
class Call:
    actor: Actor
    site_id: int
    role: Role
    data: dict[str, Any]

    @property
    def agent_id(self) -> int:
        return self.actor.ctx.agent.id


# Operations after which open dashboards read the desk again (the tags and team the chat
# header offers); a renamed or removed tag also changed conversations they hold.
DESK_OPERATIONS = frozenset(
    {"add_tag", "recolor_tag", "rename_tag", "remove_tag", "change_role", "remove_member"}
)

# An operation returns its answer and, when it changed something, the audit detail.
Result = tuple[dict[str, Any], dict[str, Any] | None]
Handler = Callable[["ConsoleService", Call], Awaitable[Result]]


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    action: Action
    handler: Handler
    audit: str | None = None  # the audit log's action name


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, action: Action, audit: str | None = None):
    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = Operation(name, action, handler, audit)
        return handler

    return register


def int_field(data: dict[str, Any], key: str) -> int:
    return commands.whole_id(data.get(key), key)


class ConsoleService:
    def __init__(
        self,
        sites: SiteService,
        site_admin: SiteAdminService,
        team: TeamService,
        invites: InviteService,
        keys: ApiKeyService,
        identity: IdentityService,
        blocking: BlockingService,
        audit: AuditRepository,
        gate: VisitorGate | None = None,
        replies: SavedReplyService | None = None,
        *,
        webhooks: WebhookService | None = None,
        privacy: PrivacyService | None = None,
        retention: RetentionService | None = None,
        workflow: WorkflowSettings | None = None,
        two_factor: TwoFactorService | None = None,
        broadcast: Broadcaster | None = None,
    ) -> None:
        self._broadcast = broadcast  # tells open dashboards their desk changed
        self.two_factor = two_factor  # who has set it up, when a site starts requiring it
        self.privacy = privacy  # a visitor's data: export and erasure
        self.retention = retention  # how long the site keeps page views and messages
        self.hours: HoursService | None = None  # business hours (set by create_app)
        self.gate = gate
        self.replies = replies
        self.webhooks = webhooks
        self.workflow = workflow  # the inbox's tags and automatic assignment
        self.sites = sites
        self.site_admin = site_admin
        self.team = team
        self.invites = invites
        self.keys = keys
        self.identity = identity
        self.blocking = blocking
        self.audit = audit

    async def run(
        self, name: str, actor: Actor, site_id: int | None, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        op = OPERATIONS.get(name)
        if op is None:
            raise InvalidInput(f"unknown console operation {name!r}")
        data = data or {}
        if op.action is Action.CREATE_SITE:  # no site yet: the caller must own one somewhere
            result, detail = await op.handler(self, Call(actor, 0, Role.OWNER, data))
            await self._record(op, actor, result["site"]["id"], detail or {})
            return result
        if site_id is None:
            raise InvalidInput("site_id is required")
        role = await self._role(actor, site_id, op.action)
        result, detail = await op.handler(self, Call(actor, site_id, role, data))
        if op.audit and detail is not None:
            await self._record(op, actor, site_id, detail)
            self.sites.forget(site_id)
            if self.gate is not None:
                self.gate.forget(site_id)  # blocks and switches apply to the next message
            if op.name in DESK_OPERATIONS and self._broadcast is not None:
                retagged = int(result.get("conversations") or 0)
                await self._broadcast.to_agents(
                    site_id, "desk_changed", {"site_id": site_id, "retagged": retagged}
                )
        return result

    async def _role(self, actor: Actor, site_id: int, action: Action) -> Role:
        if actor.ctx.is_api_key:  # a key is for its own site only
            actor.ctx.require_member(site_id)
            return require_key(action)
        return require(await self.team.role_of(site_id, actor.ctx.agent.id), action)

    async def role_in(self, ctx: AgentContext, site_id: int) -> Role | None:
        """The caller's current role (fresh from the database, not the session's copy)."""
        return await self.team.role_of(site_id, ctx.agent.id)

    async def _record(self, op: Operation, actor: Actor, site_id: int, detail: dict) -> None:
        await self.audit.record(
            op.audit or op.name,
            site_id=site_id,
            agent_id=actor.ctx.agent.id or None,
            ip=actor.ip,
            detail={**detail, "api_key": actor.ctx.agent.name} if actor.ctx.is_api_key else detail,
        )

    @operation("create_site", Action.CREATE_SITE, "site.created")
    async def _create_site(self, call: Call) -> Result:
        site = await self.site_admin.create_site(
            call.actor.ctx.agent, call.data.get("name"), call.data.get("allowed_origins")
        )
        return {"site": await self.site_admin.settings(site.id)}, {"name": site.name}

    # --- site settings ------------------------------------------------------------------

    @operation("get_site", Action.VIEW_SETTINGS)
    async def _get_site(self, call: Call) -> Result:
        return {"site": await self.site_admin.settings(call.site_id), "role": call.role}, None

    @operation("update_site", Action.EDIT_SETTINGS, "site.updated")
    async def _update_site(self, call: Call) -> Result:
        required_before = (await self.site_admin.settings(call.site_id))["require_two_factor"]
        wanted = call.data.get("require_two_factor", required_before)
        if wanted != required_before and call.role is not Role.OWNER:
            raise Forbidden("only an owner can change the two-factor requirement")
        turning_on = wanted is True and not required_before
        if (
            turning_on
            and self.two_factor is not None
            and not await self.two_factor.enabled(call.actor.ctx.agent.id)
        ):
            raise InvalidInput(
                "set up two-factor sign-in for your own account first "
                "(/dashboard/two-factor), then require it of the team"
            )
        _site, changed = await self.site_admin.update_site(call.site_id, call.data)
        if turning_on:
            await self._end_sessions_without_two_factor(call.site_id)
        return {"site": await self.site_admin.settings(call.site_id)}, changed or None

    async def _end_sessions_without_two_factor(self, site_id: int) -> None:
        """The site now requires two-factor sign-in: members who have not set it up are
        signed out everywhere (tokens and sockets); signing in again sends them to set it up."""
        if self.two_factor is None:
            return
        for member in await self.team.members(site_id):
            if not await self.two_factor.enabled(member.agent.id):
                await self.team.end_sessions(member.agent.id)

    @operation("update_widget", Action.EDIT_SETTINGS, "widget.updated")
    async def _update_widget(self, call: Call) -> Result:
        site, changed = await self.site_admin.update_widget(call.site_id, call.data)
        return {"widget": site.widget.to_dict()}, changed or None

    @operation("delete_site", Action.DELETE_SITE, "site.deleted")
    async def _delete_site(self, call: Call) -> Result:
        site = await self.site_admin.delete(
            call.site_id, call.data.get("confirm"), spare=call.actor.connection
        )
        return {"deleted": site.id}, {"name": site.name}

    @operation("installation", Action.VIEW_SETTINGS)
    async def _installation(self, call: Call) -> Result:
        return await self.site_admin.installation(call.site_id), None

    # --- team ---------------------------------------------------------------------------

    @operation("list_team", Action.VIEW_TEAM)
    async def _list_team(self, call: Call) -> Result:
        members = await self.team.members(call.site_id)
        invites = await self.invites.pending(call.site_id)
        return {
            "members": [m.to_wire() for m in members],
            "invites": [
                {**i.to_wire(), "link": self.invites.link(i, call.actor.base_url)} for i in invites
            ],
            "can_manage_owners": permits(call.role, Action.MANAGE_OWNERS),
            "emails_invites": self.invites.mails,
        }, None

    @operation("invite", Action.MANAGE_TEAM, "invite.created")
    async def _invite(self, call: Call) -> Result:
        role = parse_role(call.data.get("role", "agent"))
        if role is Role.OWNER:
            require(call.role, Action.MANAGE_OWNERS)
        site = await self.sites.get(call.site_id)
        invite, link = await self.invites.create(
            site, call.data.get("email"), role, call.actor.ctx.agent, call.actor.base_url
        )
        answer = {"invite": invite.to_wire(), "link": link, "emailed": self.invites.mails}
        return answer, {"email": invite.email, "role": role.value}

    @operation("revoke_invite", Action.MANAGE_TEAM, "invite.revoked")
    async def _revoke_invite(self, call: Call) -> Result:
        invite = await self.invites.revoke(call.site_id, int_field(call.data, "invite_id"))
        return {"invite": invite.to_wire()}, {"email": invite.email}

    @operation("change_role", Action.MANAGE_TEAM, "member.role_changed")
    async def _change_role(self, call: Call) -> Result:
        agent_id, role = int_field(call.data, "agent_id"), parse_role(call.data.get("role"))
        current = await self.team.role_of(call.site_id, agent_id)
        if current is None:
            raise NotFound("that agent is not a member of this site")
        if Role.OWNER in (current, role):
            require(call.role, Action.MANAGE_OWNERS)
        previous = await self.team.change_role(
            call.site_id, agent_id, role, spare=call.actor.connection
        )
        detail = {"member": agent_id, "from": previous.value, "to": role.value}
        return {"agent_id": agent_id, "role": role.value}, detail if previous is not role else None

    @operation("remove_member", Action.MANAGE_TEAM, "member.removed")
    async def _remove_member(self, call: Call) -> Result:
        agent_id = int_field(call.data, "agent_id")
        current = await self.team.role_of(call.site_id, agent_id)
        if current is None:
            raise NotFound("that agent is not a member of this site")
        if current is Role.OWNER:
            require(call.role, Action.MANAGE_OWNERS)
        previous = await self.team.remove(call.site_id, agent_id, spare=call.actor.connection)
        return {"removed": agent_id}, {"member": agent_id, "role": previous.value}

    # --- blocking -----------------------------------------------------------------------

    @operation("list_blocks", Action.MANAGE_BLOCKS)
    async def _list_blocks(self, call: Call) -> Result:
        site = await self.sites.get(call.site_id)
        blocks = await self.blocking.list(call.site_id)
        return {
            "blocks": [b.to_wire() for b in blocks],
            "blocked_response": site.blocked_response,
        }, None

    @operation("block", Action.MANAGE_BLOCKS, "block.added")
    async def _block(self, call: Call) -> Result:
        block = await self.blocking.add(
            call.site_id,
            call.data.get("kind"),
            call.data.get("value"),
            call.data.get("note"),
            call.agent_id,
        )
        return {"block": block.to_wire()}, {"kind": block.kind.value, "value": block.value}

    @operation("unblock", Action.MANAGE_BLOCKS, "block.removed")
    async def _unblock(self, call: Call) -> Result:
        block = await self.blocking.remove(call.site_id, int_field(call.data, "block_id"))
        return {"removed": block.id}, {"kind": block.kind.value, "value": block.value}

    # --- owners only: audit, keys, identity secret -------------------------------------

    @operation("list_audit", Action.VIEW_AUDIT)
    async def _list_audit(self, call: Call) -> Result:
        before = int_field(call.data, "before") if call.data.get("before") is not None else None
        limit = call.data.get("limit", AUDIT_PAGE)
        if isinstance(limit, str) and commands.DIGITS.fullmatch(limit):
            limit = int(limit)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 200:
            raise InvalidInput("limit must be a whole number from 1 to 200")
        entries = await self.audit.page(call.site_id, before=before, limit=limit + 1)
        return {
            "entries": [e.to_wire() for e in entries[:limit]],
            "has_more": len(entries) > limit,
        }, None

    @operation("list_keys", Action.MANAGE_KEYS)
    async def _list_keys(self, call: Call) -> Result:
        return {"keys": [k.to_wire() for k in await self.keys.list(call.site_id)]}, None

    @operation("create_key", Action.MANAGE_KEYS, "api_key.created")
    async def _create_key(self, call: Call) -> Result:
        stored, key = await self.keys.generate(call.site_id, call.data.get("slot"))
        return {"api_key": stored.to_wire(), "key": key}, {
            "slot": stored.slot,
            "prefix": stored.prefix,
        }

    @operation("revoke_key", Action.MANAGE_KEYS, "api_key.revoked")
    async def _revoke_key(self, call: Call) -> Result:
        stored = await self.keys.revoke(call.site_id, call.data.get("slot"))
        return {"revoked": stored.slot}, {"slot": stored.slot, "prefix": stored.prefix}

    @operation("identity_secret", Action.IDENTITY_SECRET, "identity_secret.revealed")
    async def _identity_secret(self, call: Call) -> Result:
        site = await self.sites.get(call.site_id)
        return {"secret": site.identity_secret}, {}

    @operation("rotate_identity_secret", Action.IDENTITY_SECRET, "identity_secret.rotated")
    async def _rotate_identity_secret(self, call: Call) -> Result:
        return {"secret": await self.identity.rotate(call.site_id)}, {}

    # --- the inbox: tags and automatic assignment --------------------------------------

    def _workflow(self) -> WorkflowSettings:
        if self.workflow is None:
            raise InvalidInput("inbox settings are not available here")
        return self.workflow

    @operation("list_workflow", Action.VIEW_SETTINGS)
    async def _list_workflow(self, call: Call) -> Result:
        workflow = self._workflow()
        return {
            "tags": [t.to_wire() for t in await workflow.tags(call.site_id)],
            "assignment": (await workflow.rule(call.site_id)).to_wire(),
        }, None

    @operation("add_tag", Action.EDIT_SETTINGS, "tag.added")
    async def _add_tag(self, call: Call) -> Result:
        tag = await self._workflow().add_tag(
            call.site_id, call.data.get("name"), call.data.get("color")
        )
        return {"tag": tag.to_wire()}, {"name": tag.name, "color": tag.color}

    @operation("recolor_tag", Action.EDIT_SETTINGS, "tag.recolored")
    async def _recolor_tag(self, call: Call) -> Result:
        tag = await self._workflow().recolor_tag(
            call.site_id, int_field(call.data, "tag_id"), call.data.get("color")
        )
        return {"tag": tag.to_wire()}, {"name": tag.name, "color": tag.color}

    @operation("rename_tag", Action.EDIT_SETTINGS, "tag.renamed")
    async def _rename_tag(self, call: Call) -> Result:
        tag, old, retagged = await self._workflow().rename_tag(
            call.site_id, int_field(call.data, "tag_id"), call.data.get("name")
        )
        return {"tag": tag.to_wire(), "conversations": retagged}, {"name": tag.name, "from": old}

    @operation("remove_tag", Action.EDIT_SETTINGS, "tag.removed")
    async def _remove_tag(self, call: Call) -> Result:
        tag_id = int_field(call.data, "tag_id")
        tag, untagged = await self._workflow().remove_tag(call.site_id, tag_id)
        return {"removed": tag.id, "conversations": untagged}, {"name": tag.name}

    @operation("set_assignment", Action.EDIT_SETTINGS, "assignment.changed")
    async def _set_assignment(self, call: Call) -> Result:
        rule = await self._workflow().set_rule(call.site_id, call.data)
        return {"assignment": rule.to_wire()}, rule.to_wire()


# Operations that live in modules of their own register themselves on import.
from server.services.console import hours as console_hours  # noqa: E402, F401
from server.services.console import privacy as console_privacy  # noqa: E402, F401
from server.services.console import replies as console_replies  # noqa: E402, F401
from server.services.console import webhooks as console_webhooks  # noqa: E402, F401
