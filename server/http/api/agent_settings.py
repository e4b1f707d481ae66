"""The signed-in agent's own settings: GET and PUT /api/v1/me/settings."""

from __future__ import annotations

from aiohttp import web

from server.http.agent_auth import agent_context
from server.http.api.models import AgentSettingsBody
from server.keys import agent_settings_key


async def get_settings(request: web.Request) -> web.Response:
    """How the dashboard alerts you: sounds, desktop notifications, e-mail."""
    ctx = await agent_context(request)
    settings = await request.app[agent_settings_key].get(ctx.agent.id)
    return web.json_response({"ok": True, "settings": settings.to_wire()})


async def put_settings(request: web.Request, body: AgentSettingsBody) -> web.Response:
    """Change any of them; the others stay as they are."""
    ctx = await agent_context(request)
    data = body.model_dump(exclude_none=True)
    settings = await request.app[agent_settings_key].update(ctx.agent.id, data)
    return web.json_response({"ok": True, "settings": settings.to_wire()})
