"""The dashboard's server-rendered pages: sign-in, sign-out and the app shell."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from server.domain import DomainError
from server.http import csrf
from server.http.agent_auth import (
    SESSION_COOKIE,
    end_session,
    optional_agent,
    set_session_cookie,
)
from server.http.api.conversations import sign_in
from server.http.errors import STATUS
from server.http.pages.two_factor import send_to_enrolment
from server.keys import console_key, settings_key, sites_key
from server.services.team.two_factor import EnrolmentRequired, TwoFactorRequired


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/dashboard")


async def app_page(request: web.Request) -> web.Response:
    ctx = await optional_agent(request)
    if ctx is None:
        raise web.HTTPFound("/dashboard/login")
    sites = await request.app[sites_key].summaries_for(ctx)
    agent = ctx.agent.to_wire()
    return aiohttp_jinja2.render_template(
        "app.html",
        request,
        {
            "agent": agent,
            "sites": sites,
            "csrf": csrf.token_for(request),
            "bootstrap": {
                "agent": agent,
                "sites": sites,
                "uploads": {"max_bytes": request.app[settings_key].upload_max_bytes},
            },
        },
    )


async def login_page(request: web.Request) -> web.Response:
    if await optional_agent(request):
        raise web.HTTPFound("/dashboard")
    if await request.app[console_key].site_admin.signup_open():  # a fresh installation
        raise web.HTTPFound("/signup")
    return _login_form(request, None, "", request.query.get("next", "/dashboard"))


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    email = str(form.get("email", ""))
    next_url = _safe_next(str(form.get("next", "")))
    halfway = form.get("halfway")
    try:
        token, _ctx = await sign_in(
            request,
            email,
            str(form.get("password", "")),
            code=str(form.get("code", "")) if halfway else None,
            halfway=halfway,
        )
    except EnrolmentRequired as error:
        raise send_to_enrolment(request, error.halfway) from None
    except TwoFactorRequired as error:
        return _login_form(request, None, email, next_url, halfway=error.halfway)
    except DomainError as error:
        status = next((s for kind, s in STATUS.items() if isinstance(error, kind)), 401)
        # A wrong code asks again without the password; an expired step starts over.
        keep = str(halfway) if halfway and "code" in error.message else None
        return _login_form(request, error.message, email, next_url, status=status, halfway=keep)
    settings = request.app[settings_key]
    response = web.HTTPFound(next_url)
    set_session_cookie(
        response, token, secure=settings.secure_cookies, max_age=settings.agent_token_ttl_seconds
    )
    raise response


async def logout(request: web.Request) -> web.Response:
    await end_session(request)
    response = web.HTTPFound("/dashboard/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


def _login_form(
    request: web.Request,
    error: str | None,
    email: str,
    next_url: str,
    status: int = 200,
    halfway: str | None = None,
) -> web.Response:
    response = aiohttp_jinja2.render_template(
        "login.html",
        request,
        {"error": error, "email": email, "next": _safe_next(next_url), "halfway": halfway},
    )
    response.set_status(status)
    return response


def _safe_next(value: str) -> str:
    """Only a path on this server: an open redirect would hand sign-ins to another site."""
    parts = urlsplit(value)
    if value.startswith("/") and not value.startswith("//") and not parts.netloc:
        return value
    return "/dashboard"
