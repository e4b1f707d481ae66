"""The signed-in agent's own settings: GET and PUT /api/v1/me/settings."""

from __future__ import annotations

from aiohttp import web

from server.http import csrf
from server.http.agent_auth import agent_context
from server.http.body import json_object
from server.keys import agent_settings_key


async def get_settings(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    settings = await request.app[agent_settings_key].get(ctx.agent.id)
    return web.json_response({"ok": True, "settings": settings.to_wire()})


async def put_settings(request: web.Request) -> web.Response:
    ctx = await agent_context(request)
    csrf.check_api(request)
    data = await json_object(request)
    settings = await request.app[agent_settings_key].update(ctx.agent.id, data)
    return web.json_response({"ok": True, "settings": settings.to_wire()})
