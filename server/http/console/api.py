"""The owner's console as JSON under /api/v1/sites: one route per console operation, in
the documented API (each with its models in ``console_models`` and ``console_replies``).

Each handler is the same few lines: who is calling (Bearer token or session cookie plus
CSRF header), the path's ids and the validated query or body, then ``ConsoleService.run``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from aiohttp import web
from pydantic import BaseModel

from server.http import csrf
from server.http.agent_auth import agent_context, set_session_cookie
from server.http.api import replies as r
from server.http.api.registry import ApiRegistry
from server.http.console import models as m
from server.http.console import replies as c
from server.keys import console_key, settings_key
from server.services import commands
from server.services.console.origins import link_base
from server.services.console.service import Actor
from server.services.protection.client_ip import client_ip

S = "/api/v1/sites/{site_id}"
HOOK = f"{S}/webhooks/{{endpoint_id}}"


class ConsoleRoute(NamedTuple):
    method: str
    path: str
    operation: str  # the ConsoleService operation it runs
    summary: str
    reply: type[BaseModel]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None


R = ConsoleRoute
# fmt: off
ROUTES: list[ConsoleRoute] = [
    R("POST", "/api/v1/sites", "create_site", "Create a site", c.SiteReply, m.CreateSiteBody),
    R("GET", S, "get_site", "A site's settings", c.SiteReply),
    R("PATCH", S, "update_site", "Change a site's settings", c.SiteReply, m.UpdateSiteBody),
    R("DELETE", S, "delete_site", "Delete a site", c.SiteDeleted, m.DeleteSiteBody),
    R("PATCH", f"{S}/widget", "update_widget", "Style the widget", c.WidgetReply, m.WidgetBody),
    R("GET", f"{S}/installation", "installation", "The embed key", c.Installation),
    R("GET", f"{S}/team", "list_team", "The team and pending invites", c.Team),
    R("POST", f"{S}/invites", "invite", "Invite a teammate", c.InviteReply, m.InviteBody),
    R("DELETE", f"{S}/invites/{{invite_id}}", "revoke_invite", "Revoke an invite", c.InviteReply),
    R("PATCH", f"{S}/team/{{agent_id}}", "change_role", "Change a role", c.RoleReply, m.RoleBody),
    R("DELETE", f"{S}/team/{{agent_id}}", "remove_member", "Remove a teammate", c.Removed),
    R("GET", f"{S}/blocks", "list_blocks", "Blocked visitors, addresses, countries", c.Blocks),
    R("POST", f"{S}/blocks", "block", "Block", c.BlockReply, m.BlockBody),
    R("DELETE", f"{S}/blocks/{{block_id}}", "unblock", "Unblock", c.Removed),
    R("GET", f"{S}/audit", "list_audit", "The audit log", c.Audit, query=m.AuditQuery),
    R("GET", f"{S}/keys", "list_keys", "The site's API keys", c.Keys),
    R("POST", f"{S}/keys/{{slot}}", "create_key", "Generate an API key", c.KeyCreated),
    R("DELETE", f"{S}/keys/{{slot}}", "revoke_key", "Revoke an API key", c.KeyRevoked),
    R("GET", f"{S}/identity-secret", "identity_secret", "The identity secret", c.Secret),
    R("POST", f"{S}/identity-secret", "rotate_identity_secret", "Rotate it", c.Secret),
    R("GET", f"{S}/replies", "list_replies", "Saved replies", c.SavedReplies),
    R("POST", f"{S}/replies", "create_reply", "Save a reply", c.SavedReplyReply, m.ReplyBody),
    R("PATCH", f"{S}/replies/{{reply_id}}", "update_reply", "Change a saved reply",
      c.SavedReplyReply, m.ReplyChangeBody),
    R("DELETE", f"{S}/replies/{{reply_id}}", "delete_reply", "Delete a saved reply", c.Deleted),
    R("GET", f"{S}/visitors/{{visitor_id}}/export", "export_visitor",
      "Everything held about a visitor", r.VisitorExport),
    R("DELETE", f"{S}/visitors/{{visitor_id}}", "erase_visitor", "Erase a visitor",
      r.VisitorErased),
    R("GET", f"{S}/retention", "get_retention", "How long data is kept", c.Retention),
    R("PUT", f"{S}/retention", "set_retention", "Set how long", c.Retention, m.RetentionBody),
    R("GET", f"{S}/hours", "get_hours", "Business hours", c.Hours),
    R("PUT", f"{S}/hours", "set_hours", "Set business hours", c.Hours, m.HoursBody),
    R("GET", f"{S}/webhooks", "list_webhooks", "Webhook endpoints", c.Webhooks),
    R("POST", f"{S}/webhooks", "create_webhook", "Add an endpoint", c.WebhookReply,
      m.WebhookBody),
    R("GET", HOOK, "get_webhook", "An endpoint", c.WebhookReply),
    R("PATCH", HOOK, "update_webhook", "Change an endpoint", c.WebhookReply,
      m.WebhookChangeBody),
    R("DELETE", HOOK, "delete_webhook", "Delete an endpoint", c.Deleted),
    R("POST", f"{HOOK}/secret", "rotate_webhook_secret", "Rotate its secret", c.WebhookReply),
    R("POST", f"{HOOK}/test", "test_webhook", "Send a test event", c.DeliveryReply),
    R("GET", f"{HOOK}/deliveries", "list_webhook_deliveries", "Its delivery log",
      c.Deliveries, query=m.DeliveriesQuery),
    R("POST", f"{HOOK}/deliveries/{{delivery_id}}/redeliver", "redeliver_webhook",
      "Deliver again", c.DeliveryReply),
    R("GET", f"{S}/workflow", "list_workflow", "Tags and automatic assignment", c.Workflow),
    R("POST", f"{S}/tags", "add_tag", "Define a tag", c.TagReply, m.TagBody),
    R("PATCH", f"{S}/tags/{{tag_id}}", "recolor_tag", "Recolour a tag", c.TagReply,
      m.TagColorBody),
    R("PUT", f"{S}/tags/{{tag_id}}/name", "rename_tag", "Rename a tag", c.TagReply,
      m.TagNameBody),
    R("DELETE", f"{S}/tags/{{tag_id}}", "remove_tag", "Remove a tag", c.Removed),
    R("PUT", f"{S}/assignment", "set_assignment", "Automatic assignment", c.Assignment,
      m.AssignmentBody),
]
# fmt: on

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
    async def handle(
        request: web.Request, body: BaseModel | None = None, query: BaseModel | None = None
    ) -> web.Response:
        actor = await actor_of(request)
        csrf.check_api(request)
        data: dict[str, Any] = {}
        for given in (query, body):
            if given is not None:
                data.update(given.model_dump(exclude_unset=True))
        data.update({k: v for k, v in request.match_info.items() if k != "site_id"})
        result = await request.app[console_key].console.run(
            operation, actor, site_id_of(request), data
        )
        return web.json_response({"ok": True, **result})

    handle.__name__ = f"console_{operation}"
    return handle


async def change_password(request: web.Request, body: m.PasswordBody) -> web.Response:
    """Every other session of the agent ends; the answer's token is the new session."""
    ctx = await agent_context(request)
    token = await request.app[console_key].account.change_password(
        ctx.agent, body.current_password, body.new_password
    )
    response = web.json_response({"ok": True, "token": token})
    settings = request.app[settings_key]
    set_session_cookie(
        response, token, secure=settings.secure_cookies, max_age=settings.agent_token_ttl_seconds
    )
    return response


def setup(router: web.UrlDispatcher, registry: ApiRegistry) -> None:
    for route in ROUTES:
        if route.operation in IN_THE_REST_API:
            continue
        registry.add(
            router,
            route.method,
            route.path,
            _handler(route.operation),
            summary=route.summary,
            tag="console",
            reply=route.reply,
            body=route.body,
            query=route.query,
        )
    registry.add(router, "POST", "/api/v1/me/password", change_password,
                 summary="Change your password", tag="account", body=m.PasswordBody,
                 reply=c.PasswordChanged)  # fmt: skip
