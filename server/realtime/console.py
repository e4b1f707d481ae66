"""The owner's console over the /agent socket: each console operation is an event of the
same name (``update_widget``, ``invite``…) with ``{site_id, ...}``; the ack is the answer.

Mixed into AgentNamespace. Also keeps the list of an agent's live connections, so that
removing the agent from a team closes them at once.
"""

from __future__ import annotations

import logging
from typing import Any

from server.domain import DomainError, InvalidInput
from server.realtime import rooms
from server.realtime.handlers import peer_of
from server.services.console.origins import link_base
from server.services.console.service import OPERATIONS, Actor, ConsoleService
from server.services.team.auth import AgentContext
from server.services.team.service import TeamService
from server.settings import Settings

log = logging.getLogger("porchlight.realtime")
# Operations that may change the caller's own access to the site.
CHANGES_ACCESS = {"delete_site", "remove_member", "change_role"}


class ConsoleEvents:
    settings: Settings
    console: ConsoleService | None = None
    team: TeamService | None = None

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in OPERATIONS and self.console is not None:
            return await self._console_event(event, args[0], args[1] if len(args) > 1 else None)
        return await super().trigger_event(event, *args)  # type: ignore[misc]

    async def _console_event(self, name: str, sid: str, data: Any) -> dict[str, Any]:
        try:
            if data is not None and not isinstance(data, dict):
                raise InvalidInput("payload must be an object")
            data = dict(data or {})
            session = await self.get_session(sid)  # type: ignore[attr-defined]
            ctx: AgentContext | None = session.get("ctx")
            if ctx is None:
                raise InvalidInput("not connected")
            site_id = data.pop("site_id", None)
            if site_id is not None and (
                isinstance(site_id, bool) or not isinstance(site_id, int) or site_id < 1
            ):
                raise InvalidInput("site_id must be a positive whole number")
            actor = Actor(ctx, session.get("ip"), session.get("base_url", ""), sid)
            assert self.console is not None
            result = await self.console.run(name, actor, site_id, data)
            if site_id is not None and name in CHANGES_ACCESS:
                await self._reconnect_if_changed(sid, ctx, site_id)
        except DomainError as error:
            return {"ok": False, "error": error.message, "code": error.code}
        except Exception:
            log.exception("console event %s failed", name)
            return {"ok": False, "error": "the server failed; nothing was changed", "code": "error"}
        return {"ok": True, **result}

    async def _reconnect_if_changed(self, sid: str, ctx: AgentContext, site_id: int) -> None:
        """The caller changed their own access (left, demoted, deleted the site): their
        socket closes right after this answer, and reconnects with what they may now see."""
        assert self.console is not None
        if await self.console.role_in(ctx, site_id) != ctx.role_in(site_id):
            self.server.start_background_task(self.disconnect, sid)  # type: ignore[attr-defined]

    async def console_connected(self, sid: str, ctx: AgentContext, environ: dict) -> dict:
        """Session fields the console needs (where the agent connects from); the connection
        is listed under the agent so removal can close it."""
        if self.team is not None:
            await self.team.connected(ctx.agent.id, sid)
        await self.enter_room(sid, rooms.agent(ctx.agent.id))  # type: ignore[attr-defined]
        settings = self.settings
        host = environ.get("HTTP_HOST")
        scheme = environ.get("wsgi.url_scheme", "http")
        return {
            "ip": peer_of(sid, environ, settings).ip,
            "base_url": link_base(settings.public_url, scheme, host, settings.port),
        }

    async def console_disconnected(self, sid: str, ctx: AgentContext | None) -> None:
        if self.team is not None and ctx is not None:
            await self.team.disconnected(ctx.agent.id, sid)
