"""Visitor intelligence over HTTP: one visitor's profile and journey analytics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from server.http.agent_auth import agent_context
from server.http.api.models import JourneysQuery
from server.keys import visitors_key
from server.services import commands
from server.services.visitors.journey import utc_day

DEFAULT_DAYS = 7


async def visitor_profile(request: web.Request) -> web.Response:
    """Everything the team knows of one visitor: the summary (where, device, identity), every
    visit with its pages, past conversations and the team's notes in them."""
    site_id = await _member_site(request)
    visitor_id = commands.message_id(
        {"visitor_id": request.match_info["visitor_id"]}, "visitor_id", required=True
    )
    profile = await request.app[visitors_key].profile(site_id, visitor_id)
    return web.json_response({"ok": True, **profile})


async def online_visitors(request: web.Request) -> web.Response:
    """The site's visitors online now, each with where they are and what they look at."""
    site_id = await _member_site(request)
    found = await request.app[visitors_key].list_online([site_id])
    return web.json_response({"ok": True, "visitors": found})


async def journeys(request: web.Request, query: JourneysQuery) -> web.Response:
    """Where visitors enter, go and leave, over `from` … `to`: UTC days (both included) or
    ISO 8601 times; the default is the last seven days including today."""
    site_id = await _member_site(request)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = _bound(query.from_, "from", today - timedelta(days=DEFAULT_DAYS - 1))
    until = _bound(query.to, "to", today, end=True)
    report = await request.app[visitors_key].journey_analytics(site_id, since, until)
    return web.json_response({"ok": True, "site_id": site_id, **report})


async def _member_site(request: web.Request) -> int:
    ctx = await agent_context(request)
    site_id = commands.whole_id(request.match_info["site_id"], "site id")
    ctx.require_member(site_id)
    return site_id


def _bound(raw: str | None, name: str, default: datetime, *, end: bool = False) -> datetime:
    """A day includes all of it: ``to=2026-11-21`` ends at the start of the 22nd."""
    day_only = raw is None or len(raw) == 10
    moment = default if raw is None else utc_day(raw, name)
    return moment + timedelta(days=1) if end and day_only else moment
