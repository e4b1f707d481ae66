"""The owner's console as JSON under /api/v1/sites: one route per console operation.

Each handler is the same few lines: who is calling (Bearer token or session cookie plus
CSRF header), the path's ids and the body, then ``ConsoleService.run``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.http import csrf
from server.http.agent_auth import agent_context, set_session_cookie
from server.http.body import json_object
from server.keys import console_key, settings_key
from server.services import commands
from server.services.console.origins import link_base
from server.services.console.service import Actor
from server.services.protection.client_ip import client_ip

# (method, path, operation)
ROUTES: list[tuple[str, str, str]] = [
    ("POST", "/api/v1/sites", "create_site"),
    ("GET", "/api/v1/sites/{site_id}", "get_site"),
    ("PATCH", "/api/v1/sites/{site_id}", "update_site"),
    ("DELETE", "/api/v1/sites/{site_id}", "delete_site"),
    ("PATCH", "/api/v1/sites/{site_id}/widget", "update_widget"),
    ("GET", "/api/v1/sites/{site_id}/installation", "installation"),
    ("GET", "/api/v1/sites/{site_id}/team", "list_team"),
    ("POST", "/api/v1/sites/{site_id}/invites", "invite"),
    ("DELETE", "/api/v1/sites/{site_id}/invites/{invite_id}", "revoke_invite"),
    ("PATCH", "/api/v1/sites/{site_id}/team/{agent_id}", "change_role"),
    ("DELETE", "/api/v1/sites/{site_id}/team/{agent_id}", "remove_member"),
    ("GET", "/api/v1/sites/{site_id}/blocks", "list_blocks"),
    ("POST", "/api/v1/sites/{site_id}/blocks", "block"),
    ("DELETE", "/api/v1/sites/{site_id}/blocks/{block_id}", "unblock"),
    ("GET", "/api/v1/sites/{site_id}/audit", "list_audit"),
    ("GET", "/api/v1/sites/{site_id}/keys", "list_keys"),
    ("POST", "/api/v1/sites/{site_id}/keys/{slot}", "create_key"),
    ("DELETE", "/api/v1/sites/{site_id}/keys/{slot}", "revoke_key"),
    ("GET", "/api/v1/sites/{site_id}/identity-secret", "identity_secret"),
    ("POST", "/api/v1/sites/{site_id}/identity-secret", "rotate_identity_secret"),
    ("GET", "/api/v1/sites/{site_id}/replies", "list_replies"),
    ("POST", "/api/v1/sites/{site_id}/replies", "create_reply"),
    ("PATCH", "/api/v1/sites/{site_id}/replies/{reply_id}", "update_reply"),
    ("DELETE", "/api/v1/sites/{site_id}/replies/{reply_id}", "delete_reply"),
    ("GET", "/api/v1/sites/{site_id}/visitors/{visitor_id}/export", "export_visitor"),
    ("DELETE", "/api/v1/sites/{site_id}/visitors/{visitor_id}", "erase_visitor"),
    ("GET", "/api/v1/sites/{site_id}/retention", "get_retention"),
    ("PUT", "/api/v1/sites/{site_id}/retention", "set_retention"),
    ("GET", "/api/v1/sites/{site_id}/hours", "get_hours"),
    ("PUT", "/api/v1/sites/{site_id}/hours", "set_hours"),
    ("GET", "/api/v1/sites/{site_id}/webhooks", "list_webhooks"),
    ("POST", "/api/v1/sites/{site_id}/webhooks", "create_webhook"),
    ("GET", "/api/v1/sites/{site_id}/webhooks/{endpoint_id}", "get_webhook"),
    ("PATCH", "/api/v1/sites/{site_id}/webhooks/{endpoint_id}", "update_webhook"),
    ("DELETE", "/api/v1/sites/{site_id}/webhooks/{endpoint_id}", "delete_webhook"),
    ("POST", "/api/v1/sites/{site_id}/webhooks/{endpoint_id}/secret", "rotate_webhook_secret"),
    ("POST", "/api/v1/sites/{site_id}/webhooks/{endpoint_id}/test", "test_webhook"),
    ("GET", "/api/v1/sites/{site_id}/webhooks/{endpoint_id}/deliveries", "list_webhook_deliveries"),
    (
        "POST",
        "/api/v1/sites/{site_id}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
        "redeliver_webhook",
    ),
    ("GET", "/api/v1/sites/{site_id}/workflow", "list_workflow"),
    ("POST", "/api/v1/sites/{site_id}/tags", "add_tag"),
    ("PATCH", "/api/v1/sites/{site_id}/tags/{tag_id}", "recolor_tag"),
    ("PUT", "/api/v1/sites/{site_id}/tags/{tag_id}/name", "rename_tag"),
    ("DELETE", "/api/v1/sites/{site_id}/tags/{tag_id}", "remove_tag"),
    ("PUT", "/api/v1/sites/{site_id}/assignment", "set_assignment"),
]

# Routed by the documented REST API (``api_routes.py``), on the same paths, so that the
# site's API keys reach them too and the OpenAPI document describes them.
IN_THE_REST_API = frozenset({"export_visitor", "erase_visitor"})


def request_ip(request: web.Request) -> str | None:
    return client_ip(
        request.remote,
        request.headers.get("X-Forwarded-For"),
        request.app[settings_key].trusted_proxies,
    )


def base_url(request: web.Request) -> str:
    settings = request.app[settings_key]
    return link_base(settings.public_url, request.scheme, request.host, settings.port)


def site_id_of(request: web.Request) -> int | None:
    raw = request.match_info.get("site_id")
    if raw is None:
        return None
    return commands.whole_id(raw, "site id")


async def actor_of(request: web.Request) -> Actor:
    return Actor(await agent_context(request), request_ip(request), base_url(request))


def _handler(operation: str):
    async def handle(request: web.Request) -> web.Response:
        actor = await actor_of(request)
        csrf.check_api(request)
        data: dict[str, Any]
        if request.method == "GET":
            data = dict(request.query)
        elif request.can_read_body:
            data = await json_object(request)
        else:
            data = {}
        data.update({k: v for k, v in request.match_info.items() if k != "site_id"})
        result = await request.app[console_key].console.run(
            operation, actor, site_id_of(request), data
        )
        return web.json_response({"ok": True, **result})

    handle.__name__ = f"console_{operation}"
    return handle


async def change_password(request: web.Request) -> web.Response:
    """``{current_password, new_password}``: every other session of the agent ends."""
    ctx = await agent_context(request)
    csrf.check_api(request)
    data = await json_object(request)
    token = await request.app[console_key].account.change_password(
        ctx.agent, data.get("current_password"), data.get("new_password")
    )
    response = web.json_response({"ok": True, "token": token})
    settings = request.app[settings_key]
    set_session_cookie(
        response, token, secure=settings.secure_cookies, max_age=settings.agent_token_ttl_seconds
    )
    return response


def setup(router: web.UrlDispatcher) -> None:
    for method, path, operation in ROUTES:
        if operation not in IN_THE_REST_API:
            router.add_route(method, path, _handler(operation))
    router.add_post("/api/v1/me/password", change_password)
