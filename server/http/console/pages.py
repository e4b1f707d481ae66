"""The owner's console pages under /dashboard/settings: server-rendered, forms that post back.

GET renders a section; POST runs one console operation (the form's ``_action``) and
redirects back with a notice, or renders the page again with the error and what was typed.
Scripts (static/console.js) add the live widget preview and copy buttons; every form also
works without them.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from server.domain import (
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Role,
    WidgetSettings,
    iso,
)
from server.http import csrf
from server.http.agent_auth import optional_agent
from server.http.console.api import base_url, request_ip
from server.http.console.forms import error_context
from server.keys import console_key, settings_key, sites_key
from server.services import commands
from server.services.chat.admission import BLOCKED_RESPONSES
from server.services.console.business_hours import DAY_NAMES, DAYS, TIME_ZONES
from server.services.console.service import Actor
from server.services.console.site_admin import PRECHAT
from server.services.console.widget_text import DEFAULT_TEXTS, LANGUAGE_CHOICES, STRINGS
from server.services.team.auth import AgentContext
from server.services.team.permissions import Action, permits

# section → (title, the permission it needs, the operations its forms may post)
SECTIONS: dict[str, tuple[str, Action, tuple[str, ...]]] = {
    "general": ("General", Action.VIEW_SETTINGS, ("update_site", "delete_site")),
    "widget": ("Widget", Action.VIEW_SETTINGS, ("update_widget",)),
    "install": ("Installation", Action.VIEW_SETTINGS, ()),
    "team": (
        "Team",
        Action.VIEW_TEAM,
        ("invite", "revoke_invite", "change_role", "remove_member"),
    ),
    "blocking": ("Blocking", Action.MANAGE_BLOCKS, ("block", "unblock", "update_site")),
    "keys": (
        "Keys & identity",
        Action.MANAGE_KEYS,
        ("create_key", "revoke_key", "identity_secret", "rotate_identity_secret"),
    ),
    "audit": ("Audit log", Action.VIEW_AUDIT, ()),
    "privacy": ("Privacy", Action.VISITOR_DATA, ("set_retention", "erase_visitor")),
    "replies": (
        "Saved replies",
        Action.CHAT,
        ("create_reply", "update_reply", "delete_reply"),
    ),
    "webhooks": (
        "Webhooks",
        Action.MANAGE_WEBHOOKS,
        (
            "create_webhook",
            "update_webhook",
            "delete_webhook",
            "rotate_webhook_secret",
            "test_webhook",
            "redeliver_webhook",
        ),
    ),
    "hours": ("Business hours", Action.VIEW_SETTINGS, ("set_hours",)),
    "inbox": (
        "Inbox",
        Action.VIEW_SETTINGS,
        ("add_tag", "recolor_tag", "rename_tag", "remove_tag", "set_assignment"),
    ),
}

NOTICES = {
    "create_webhook": "Endpoint added. Copy its signing secret into your receiver.",
    "update_webhook": "Saved.",
    "delete_webhook": "Endpoint removed.",
    "rotate_webhook_secret": "New signing secret made. Deliveries are signed with it from now on.",
    "test_webhook": "Test event queued: it appears below in a moment.",
    "redeliver_webhook": "Queued again as a new delivery.",
    "update_site": "Saved.",
    "update_widget": "Saved. Widgets open on your website have been updated.",
    "invite": "Invitation created: its link is under Pending invitations.",
    "revoke_invite": "Invitation withdrawn.",
    "change_role": "Role changed.",
    "remove_member": "Removed from the team. Their open dashboards were signed out.",
    "block": "Blocked.",
    "unblock": "Unblocked.",
    "revoke_key": "Key revoked. Requests with it are refused from now on.",
    "create_site": "Site created. Add the origins of your website, then embed the widget.",
    "create_reply": "Saved reply added. Type its /shortcut in a chat to use it.",
    "update_reply": "Saved reply changed.",
    "delete_reply": "Saved reply removed.",
    "add_tag": "Tag added. Agents can put it on conversations from the chat header.",
    "recolor_tag": "Colour changed.",
    "rename_tag": "Tag renamed, on every conversation that had it too.",
    "remove_tag": "Tag removed, and taken off every conversation that had it.",
    "set_assignment": "Saved. New conversations are assigned this way from now on.",
    "set_retention": "Saved. The next cleanup runs within the hour.",
    "set_hours": "Saved. Widgets show the new hours when they next connect.",
    "erase_visitor": "Visitor erased: their profile, pages and files are gone.",
}

# Operations whose answer is shown once, on the page the form posted to.
SHOW_ONCE = {"create_key", "identity_secret", "rotate_identity_secret"}


def _site_id(request: web.Request) -> int:
    try:
        return commands.whole_id(request.match_info["site_id"], "site id")
    except InvalidInput:
        raise web.HTTPNotFound() from None


async def _signed_in(request: web.Request) -> AgentContext:
    ctx = await optional_agent(request)
    if ctx is None:
        raise web.HTTPFound("/dashboard/login?" + urlencode({"next": request.path_qs}))
    return ctx


def sections_for(role: Role | str) -> list[str]:
    """The console sections a role may open, in the order the menu shows them."""
    return [key for key, (_title, needed, _ops) in SECTIONS.items() if permits(Role(role), needed)]


async def settings_home(request: web.Request) -> web.Response:
    ctx = await _signed_in(request)
    sites = await request.app[sites_key].summaries_for(ctx)
    if sites:  # every member has a page (their saved replies); admins start at General
        raise web.HTTPFound(
            f"/dashboard/settings/{sites[0]['id']}/{sections_for(sites[0]['role'])[0]}"
        )
    if await request.app[console_key].site_admin.signup_open():
        raise web.HTTPFound("/signup")
    return await _refusal(request, ctx, "Settings are for a site's admins and owners.", 403)


async def settings_go(request: web.Request) -> web.Response:
    """The site picker without scripts: ?site=&section= → that page."""
    site = request.query.get("site", "")
    section = request.query.get("section", "general")
    if not site.isdigit() or section not in SECTIONS:
        raise web.HTTPFound("/dashboard/settings")
    raise web.HTTPFound(f"/dashboard/settings/{site}/{section}")


async def section_page(request: web.Request) -> web.Response:
    ctx = await _signed_in(request)
    section = request.match_info["section"]
    if section not in SECTIONS:
        raise web.HTTPNotFound()
    site_id = _site_id(request)
    try:
        return await _render(request, ctx, site_id, section, notice=request.query.get("done"))
    except (Forbidden, NotFound) as error:
        return await _refusal(request, ctx, error.message, 403)


async def section_submit(request: web.Request) -> web.Response:
    ctx = await _signed_in(request)
    section = request.match_info["section"]
    if section not in SECTIONS:
        raise web.HTTPNotFound()
    site_id = _site_id(request)
    form = await request.post()
    operation = str(form.get("_action", ""))
    try:
        csrf.check(request, str(form.get(csrf.FIELD, "")))
        if operation not in SECTIONS[section][2]:
            raise NotFound("no such action on this page")
        data = form_data(form)
        if operation == "set_hours":
            data = hours_from_form(data)
        result = await request.app[console_key].console.run(
            operation, await _actor(request, ctx), site_id, data
        )
    except DomainError as error:
        status = 403 if isinstance(error, Forbidden) else 400
        try:
            return await _render(
                request,
                ctx,
                site_id,
                section,
                error=error,
                posted=operation,
                typed=form_data(form),
                status=status,
            )
        except (Forbidden, NotFound) as refused:
            return await _refusal(request, ctx, refused.message, 403)
    if operation == "delete_site":
        raise web.HTTPSeeOther("/dashboard/settings?" + urlencode({"deleted": result["deleted"]}))
    if operation in SHOW_ONCE:
        return await _render(request, ctx, site_id, section, shown=result | {"op": operation})
    back = f"/dashboard/settings/{site_id}/{section}?done={operation}"
    raise web.HTTPSeeOther(back + _webhook_page(section, operation, result, request))


def _webhook_page(
    section: str, operation: str, result: dict[str, Any], request: web.Request
) -> str:
    """Webhook forms return to the endpoint they were about (a new one: its own page)."""
    if section != "webhooks" or operation == "delete_webhook":
        return ""
    endpoint = str((result.get("endpoint") or {}).get("id") or request.query.get("endpoint", ""))
    return f"&endpoint={endpoint}" if endpoint.isdigit() else ""


async def new_site_page(request: web.Request) -> web.Response:
    ctx = await _signed_in(request)
    return await _new_site(request, ctx)


async def new_site_submit(request: web.Request) -> web.Response:
    ctx = await _signed_in(request)
    form = await request.post()
    try:
        csrf.check(request, str(form.get(csrf.FIELD, "")))
        result = await request.app[console_key].console.run(
            "create_site", await _actor(request, ctx), None, form_data(form)
        )
    except DomainError as error:
        return await _new_site(request, ctx, error=error, typed=form_data(form))
    raise web.HTTPSeeOther(f"/dashboard/settings/{result['site']['id']}/general?done=create_site")


def form_data(form: Any) -> dict[str, Any]:
    """A posted form as the operation's data: checkboxes named in ``_bools`` become
    true/false (an unticked box is simply absent from the post)."""
    data = {k: str(v) for k, v in form.items() if not k.startswith("_") and k != csrf.FIELD}
    for name in filter(None, str(form.get("_bools", "")).split(",")):
        data[name] = name in form
    for name in filter(None, str(form.get("_lists", "")).split(",")):
        data[name] = [str(v) for v in form.getall(name, [])]  # checkboxes sharing a name
    return data


def hours_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """The Business hours form (one range a day, a tick for open days) as the operation's
    payload."""
    return {
        "enabled": data.get("enabled") is True,
        "time_zone": data.get("time_zone", ""),
        "week": {
            day: [[data.get(f"{day}_from", ""), data.get(f"{day}_to", "")]]
            for day in DAYS
            if data.get(f"{day}_open") is True
        },
        "holidays": data.get("holidays", ""),
        "reply_open": data.get("reply_open", ""),
        "reply_closed": data.get("reply_closed", ""),
    }


def _hours_days(hours: dict[str, Any], typed: dict[str, Any]) -> list[dict[str, Any]]:
    """Each day's row of the form: as saved, or as typed when the page comes back."""
    rows = []
    for day, name in zip(DAYS, DAY_NAMES, strict=True):
        ranges = hours["week"].get(day) or []
        first = ranges[0] if ranges else ["09:00", "17:00"]
        rows.append(
            {
                "key": day,
                "name": name,
                "open": typed[f"{day}_open"] if typed else bool(ranges),
                "from": typed.get(f"{day}_from", first[0]),
                "to": typed.get(f"{day}_to", first[1]),
                "more": len(ranges) > 1,
            }
        )
    return rows


async def _actor(request: web.Request, ctx: AgentContext) -> Actor:
    return Actor(ctx, request_ip(request), base_url(request))


async def _common(request: web.Request, ctx: AgentContext) -> dict[str, Any]:
    sites = await request.app[sites_key].summaries_for(ctx)
    return {
        "agent": ctx.agent.to_wire(),
        "sites": sites,
        "managed": sites,  # every member opens the console, for their saved replies at least
        "can_create_site": any(s["role"] == Role.OWNER for s in sites),
        "csrf": csrf.token_for(request),
    }


async def _render(
    request: web.Request,
    ctx: AgentContext,
    site_id: int,
    section: str,
    *,
    notice: str | None = None,
    error: DomainError | None = None,
    posted: str = "",
    typed: dict[str, Any] | None = None,
    shown: dict[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    console = request.app[console_key].console
    actor = await _actor(request, ctx)
    title, needed, _ops = SECTIONS[section]
    role = await console.role_in(ctx, site_id)
    if role is None:
        raise Forbidden("you are not a member of that site")
    if not permits(role, needed):
        raise Forbidden("this page is for the site's owners")
    context = await _common(request, ctx)
    if permits(role, Action.VIEW_SETTINGS):
        site = (await console.run("get_site", actor, site_id))["site"]
    else:  # an agent's pages need the site's name only
        site = next((s for s in context["sites"] if s["id"] == site_id), None)
        if site is None:
            raise Forbidden("you are not a member of that site")
    context.update(
        site=site,
        role=role.value,
        section=section,
        title=title,
        sections=[(key, SECTIONS[key][0]) for key in sections_for(role)],
        notice=NOTICES.get(notice or ""),
        **error_context(error, posted),
        typed=typed or {},
        shown=shown or {},
        can=lambda action: permits(role, Action(action)),
    )
    context.update(await _section_data(request, console, actor, site_id, section, context))
    response = aiohttp_jinja2.render_template(f"console/{section}.html", request, context)
    response.set_status(status)
    response.headers["Cache-Control"] = "no-store"  # secrets and one-time keys
    return response


async def _section_data(
    request: web.Request,
    console: Any,
    actor: Actor,
    site_id: int,
    section: str,
    context: dict[str, Any],
) -> dict[str, Any]:
    settings = request.app[settings_key]
    if section == "widget":
        fields = {f.name for f in dataclasses.fields(WidgetSettings)}
        return {
            "languages": LANGUAGE_CHOICES,
            "preview_data": {"defaults": DEFAULT_TEXTS, "strings": STRINGS},
            "prechat_choices": PRECHAT,
            "extra_switches": [(name, label) for name, label in EXTRA_SWITCHES if name in fields],
        }
    if section == "install":
        answer = await console.run("installation", actor, site_id)
        server = base_url(request)
        return {
            "last_seen": answer["last_seen"],
            "server": server,
            "snippet": (
                f'<script async src="{server}/widget.js" data-site="{answer["site_key"]}"></script>'
            ),
        }
    if section == "team":
        return await console.run("list_team", actor, site_id)
    if section == "blocking":
        answer = await console.run("list_blocks", actor, site_id)
        return answer | {"blocked_responses": BLOCKED_RESPONSES}
    if section == "keys":
        return await console.run("list_keys", actor, site_id)
    if section == "audit":
        before = request.query.get("before")
        answer = await console.run(
            "list_audit", actor, site_id, {"before": before} if before else {}
        )
        return answer
    if section == "general":
        return {"dev_localhost": settings.dev_localhost_origins}
    if section == "privacy":
        return await console.run("get_retention", actor, site_id)
    if section == "webhooks":
        return await _webhooks_data(request, console, actor, site_id)
    if section == "inbox":
        return await console.run("list_workflow", actor, site_id)
    if section == "hours":
        hours = (await console.run("get_hours", actor, site_id))["hours"]
        return {
            "hours": hours,
            "days": _hours_days(hours, context.get("typed") or {}),
            "time_zones": TIME_ZONES,
        }
    if section == "replies":
        answer = await console.run("list_replies", actor, site_id)
        editing = request.query.get("edit", "")
        return answer | {
            "shared": [r for r in answer["replies"] if r["scope"] == "shared"],
            "personal": [r for r in answer["replies"] if r["scope"] == "personal"],
            "editing": int(editing) if commands.DIGITS.fullmatch(editing) else None,
        }
    return {}


# Switches other features add to the widget settings, shown when they exist.
EXTRA_SWITCHES = [
    ("typing_preview", "Typing preview: agents see what visitors type before they send it"),
    ("show_agent_typing_text", "Visitors see the agent's words as they type, not just “typing…”"),
    (
        "fingerprint_requires_consent",
        "Recognise returning visitors by device fingerprint only after they consent",
    ),
]


async def _webhooks_data(
    request: web.Request, console: Any, actor: Actor, site_id: int
) -> dict[str, Any]:
    """The endpoint list, or with ``?endpoint=`` one endpoint, its secret and its log."""
    answer = await console.run("list_webhooks", actor, site_id)
    raw = request.query.get("endpoint", "")
    if not raw.isdigit():
        return answer
    found = await console.run("get_webhook", actor, site_id, {"endpoint_id": raw})
    query = {"endpoint_id": raw, "before": request.query.get("before", "")}
    log = await console.run("list_webhook_deliveries", actor, site_id, query)
    now = datetime.now(UTC).timestamp()
    for delivery in log["deliveries"]:
        delivery["next_in"] = _wait_text(delivery["next_attempt_ms"], now)
        for name in ("created_ms", "last_attempt_ms", "next_attempt_ms"):
            ms = delivery.get(name)
            delivery[name.replace("_ms", "_at")] = (
                iso(datetime.fromtimestamp(ms / 1000, UTC)) if ms else None
            )
    return answer | {"endpoint": found["endpoint"], **log}


def _wait_text(due_ms: int | None, now: float) -> str:
    """How long until a retry, in words: "in 20 s", "in 4 min", "in 1 h"."""
    if not due_ms:
        return ""
    seconds = max(0, round(due_ms / 1000 - now))
    if seconds < 90:
        return f"in {seconds} s" if seconds else "now"
    if seconds < 90 * 60:
        return f"in {round(seconds / 60)} min"
    return f"in {round(seconds / 3600)} h"


async def _new_site(
    request: web.Request,
    ctx: AgentContext,
    *,
    error: DomainError | None = None,
    typed: dict[str, Any] | None = None,
) -> web.Response:
    context = await _common(request, ctx)
    if not context["can_create_site"]:
        return await _refusal(request, ctx, "Only an owner of a site may create another one.", 403)
    context.update(typed=typed or {}, title="New site", **error_context(error, "create_site"))
    response = aiohttp_jinja2.render_template("console/new_site.html", request, context)
    response.set_status(400 if error else 200)
    return response


async def _refusal(
    request: web.Request, ctx: AgentContext, message: str, status: int
) -> web.Response:
    context = await _common(request, ctx)
    context.update(message=message, title="Settings")
    response = aiohttp_jinja2.render_template("console/refused.html", request, context)
    response.set_status(status)
    return response


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/dashboard/settings", settings_home)
    router.add_get("/dashboard/settings/go", settings_go)
    router.add_get("/dashboard/settings/new", new_site_page)
    router.add_post("/dashboard/settings/new", new_site_submit)
    router.add_get("/dashboard/settings/{site_id}/{section}", section_page)
    router.add_post("/dashboard/settings/{site_id}/{section}", section_submit)
