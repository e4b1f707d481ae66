"""Joining: the first owner's sign-up on a fresh installation, and accepting an invitation."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from server.domain import DomainError, InvalidInput, Unauthenticated, field_errors
from server.http import csrf
from server.http.agent_auth import set_session_cookie
from server.http.console.api import request_ip
from server.http.console.forms import sentence
from server.http.errors import STATUS
from server.keys import auth_key, console_key, settings_key, throttle_key


def _page(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    context = {"csrf": csrf.token_for(request), **context}
    response = aiohttp_jinja2.render_template(template, request, context)
    response.set_status(status)
    csrf.ensure_cookie(request, response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'"
    )
    return response


def _signed_in(request: web.Request, token: str, to: str) -> web.HTTPSeeOther:
    settings = request.app[settings_key]
    response = web.HTTPSeeOther(to)
    set_session_cookie(
        response, token, secure=settings.secure_cookies, max_age=settings.agent_token_ttl_seconds
    )
    return response


def _form_error(error: DomainError, form: Any, typed: dict[str, str]) -> dict[str, Any]:
    """What a form page shows after an error: each field's message beside it, what was
    typed (the password too, unless it is what was wrong: the page is never cached)."""
    fields = {name: sentence(text) for name, text in field_errors(error).items()}
    return {
        "typed": typed,
        "error": sentence(error.message),
        "field_errors": fields,
        "kept_password": "" if "password" in fields else str(form.get("password", "")),
    }


def _status(error: DomainError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)


async def _rate_limit(request: web.Request, what: str) -> None:
    """Per real client address: behind a trusted proxy, the address it forwards."""
    await request.app[throttle_key].check(what, address=request_ip(request) or "unknown")


# --- first owner ------------------------------------------------------------------------


async def signup_page(request: web.Request) -> web.Response:
    if not await request.app[console_key].site_admin.signup_open():
        return _page(request, "console/signup_closed.html", {}, status=404)
    return _page(request, "console/signup.html", {"typed": {}, "error": None, "field_errors": {}})


async def signup_submit(request: web.Request) -> web.Response:
    site_admin = request.app[console_key].site_admin
    if not await site_admin.signup_open():
        return _page(request, "console/signup_closed.html", {}, status=403)
    form = await request.post()
    typed = {k: str(v) for k, v in form.items() if k not in ("password", csrf.FIELD)}
    try:
        csrf.check(request, str(form.get(csrf.FIELD, "")))
        await _rate_limit(request, "signup")
        agent, site = await site_admin.signup(
            form.get("email"),
            form.get("name"),
            form.get("password"),
            form.get("site_name"),
            form.get("allowed_origins", ""),
        )
    except DomainError as error:
        return _page(request, "console/signup.html", _form_error(error, form, typed), status=400)
    auth = request.app[auth_key]
    token = auth.issue_token(agent)
    await request.app[console_key].console.audit.record(
        "owner.signed_up", site_id=site.id, agent_id=agent.id, ip=request_ip(request)
    )
    raise _signed_in(request, token, f"/dashboard/settings/{site.id}/install")


# --- invitations ------------------------------------------------------------------------


async def invite_page(request: web.Request) -> web.Response:
    invites = request.app[console_key].invites
    try:
        opened = await invites.open(request.match_info["token"])
    except DomainError as error:
        return _page(request, "console/invite.html", {"invalid": error.message}, _status(error))
    return _page(
        request,
        "console/invite.html",
        {"opened": opened, "error": None, "typed": {}, "field_errors": {}},
    )


async def invite_submit(request: web.Request) -> web.Response:
    invites = request.app[console_key].invites
    token = request.match_info["token"]
    form = await request.post()
    typed = {"name": str(form.get("name", ""))}
    try:
        csrf.check(request, str(form.get(csrf.FIELD, "")))
        await _rate_limit(request, "invite")
        opened, agent, session = await invites.accept(
            token, form.get("name"), form.get("password"), request_ip(request)
        )
    except DomainError as error:
        try:
            opened = await invites.open(token)
        except DomainError as gone:
            return _page(request, "console/invite.html", {"invalid": gone.message}, _status(gone))
        if isinstance(error, Unauthenticated):  # an existing account's password
            error = InvalidInput(
                f"{error.message[:1].upper()}{error.message[1:]}", field="password"
            )
        return _page(
            request,
            "console/invite.html",
            {"opened": opened, **_form_error(error, form, typed)},
            status=400,
        )
    await request.app[console_key].console.audit.record(
        "invite.accepted",
        site_id=opened.site.id,
        agent_id=agent.id,
        ip=request_ip(request),
        detail={"email": opened.invite.email, "role": opened.invite.role.value},
    )
    raise _signed_in(request, session, "/dashboard")


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/signup", signup_page)
    router.add_post("/signup", signup_submit)
    router.add_get("/invite/{token}", invite_page)
    router.add_post("/invite/{token}", invite_submit)
