"""/dashboard/two-factor: set up, see and turn off two-factor sign-in.

Reached with a session, or halfway through a sign-in when a site requires two-factor and
the agent has not set it up yet (a 10-minute cookie that opens this page only).
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import segno
from aiohttp import web
from markupsafe import Markup

from server.domain import Agent, DomainError, Unauthenticated
from server.http import csrf
from server.http.agent_auth import optional_agent, set_session_cookie
from server.keys import auth_key, settings_key

ENROL_COOKIE = "porchlight_2fa_enrol"
PATH = "/dashboard/two-factor"
QR_TITLE = "QR code of the setup link: scan it with your authenticator app"


def send_to_enrolment(request: web.Request, halfway: str) -> web.HTTPFound:
    response = web.HTTPFound(PATH)
    response.set_cookie(
        ENROL_COOKIE,
        halfway,
        max_age=600,
        httponly=True,
        samesite="Strict",
        secure=request.app[settings_key].secure_cookies,
        path=PATH,
    )
    return response


async def _who(request: web.Request) -> tuple[Agent | None, bool]:
    """The agent, and whether they are only halfway signed in (setting up to get in)."""
    ctx = await optional_agent(request)
    if ctx is not None:
        return ctx.agent, False
    auth = request.app[auth_key]
    assert auth.two_factor is not None
    try:
        agent_id, version = auth.two_factor.halfway_agent_id(
            request.cookies.get(ENROL_COOKIE), "enrol"
        )
    except Unauthenticated:
        return None, False
    agent = await auth.agent(agent_id)
    if agent is None or agent.token_version != version:
        return None, False
    return agent, True


def qr_svg(uri: str) -> Markup:
    """The setup link as a QR code in inline SVG: no image request and no script, so the
    page's Content-Security-Policy needs nothing more."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=2, dark="#111", light="#fff", svgclass="qr-code", title=QR_TITLE
    )
    return Markup(svg)  # segno draws paths only: the link is in no text node


def _page(request: web.Request, context: dict[str, Any], status: int = 200) -> web.Response:
    context = {"csrf": csrf.token_for(request), "error": None, **context}
    if context.get("enrolment") is not None:
        context["qr"] = qr_svg(context["enrolment"].uri)
    response = aiohttp_jinja2.render_template("two_factor.html", request, context)
    response.set_status(status)
    csrf.ensure_cookie(request, response)
    response.headers["Cache-Control"] = "no-store"
    return response


async def page(request: web.Request) -> web.Response:
    agent, halfway = await _who(request)
    if agent is None:
        raise web.HTTPFound("/dashboard/login")
    two_factor = request.app[auth_key].two_factor
    assert two_factor is not None
    if await two_factor.enabled(agent.id):
        return _page(request, {"agent": agent, "enabled": True})
    return _page(
        request,
        {"agent": agent, "enrolment": two_factor.start(agent), "halfway": halfway},
    )


async def submit(request: web.Request) -> web.Response:
    agent, halfway = await _who(request)
    if agent is None:
        raise web.HTTPFound("/dashboard/login")
    form = await request.post()
    two_factor = request.app[auth_key].two_factor
    assert two_factor is not None
    try:
        csrf.check(request, str(form.get(csrf.FIELD, "")))
        if form.get("_action") == "turn_off" and not halfway:
            await two_factor.turn_off(agent, form.get("code"))
            return _page(request, {"agent": agent, "turned_off": True})
        codes = await two_factor.finish(agent, form.get("pending"), form.get("code"))
    except DomainError as error:
        enabled = await two_factor.enabled(agent.id)
        context: dict[str, Any] = {"agent": agent, "enabled": enabled, "error": error.message}
        if not enabled:
            context |= {"enrolment": two_factor.start(agent), "halfway": halfway}
        return _page(request, context, status=400)
    response = _page(request, {"agent": agent, "recovery_codes": codes, "halfway": halfway})
    if halfway:  # set up now: the sign-in is complete
        settings = request.app[settings_key]
        token = request.app[auth_key].issue_token(agent)
        set_session_cookie(
            response,
            token,
            secure=settings.secure_cookies,
            max_age=settings.agent_token_ttl_seconds,
        )
        response.del_cookie(ENROL_COOKIE, path=PATH)
    return response


def setup(router: web.UrlDispatcher) -> None:
    router.add_get(PATH, page)
    router.add_post(PATH, submit)
