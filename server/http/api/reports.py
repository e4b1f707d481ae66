"""The Reports page's numbers over HTTP: every figure as JSON, and each one as CSV.

``GET /api/v1/reports`` gives every figure of the page in one answer;
``GET /api/v1/reports/{figure}`` gives one, and ``?format=csv`` the same table as a CSV
file. Both take ``site_id`` (one site, or every site of the caller when left out),
``from``/``to`` (local days, both included), ``tz`` (an IANA time zone), ``interval``
(``hour``, ``day`` or ``week``), ``missed_after`` (minutes), ``default_tz`` (the
time zone when neither ``tz`` nor the site's report settings name one) and
``business_hours`` (``true``: first response and resolution times counted within each
site's business hours, for the sites that have them).
"""

from __future__ import annotations

import csv
import io

from aiohttp import web

from server.domain import Forbidden, Role
from server.http.agent_auth import agent_context
from server.http.api.models import FigureQuery, ReportQuery, ReportSettingsBody, SentimentsQuery
from server.keys import reports_key
from server.services import commands
from server.services.reports.figures import Figure
from server.services.reports.service import ReportSettings


async def all_figures(request: web.Request, query: ReportQuery) -> web.Response:
    """Every figure of the Reports page over a period: one site, or all of the caller's."""
    site_ids = await _sites(request)
    reports = request.app[reports_key]
    period, found = await reports.figures(site_ids, _strings(query))
    with_hours = await reports.with_business_hours(site_ids)
    return web.json_response(
        {
            "ok": True,
            "site_ids": site_ids,
            "period": period.to_wire(),
            # sites with business hours; business_hours=true counts their times in them
            "business_hours": {
                "site_ids": with_hours,
                "applied": bool(with_hours and query.business_hours),
            },
            "figures": {name: figure.to_wire() for name, figure in found.items()},
        }
    )


async def one_figure(request: web.Request, query: FigureQuery) -> web.Response:
    """One figure as its columns and rows; `format=csv` gives the same table as a CSV file."""
    name = request.match_info["figure"]
    site_ids = await _sites(request)
    period, found = await request.app[reports_key].figures(site_ids, _strings(query), [name])
    figure = found[name]
    if query.format == "csv":
        filename = f"porchlight-{name}-{period.first_day}-{period.last_day}.csv"
        return web.Response(
            body=_csv(figure).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return web.json_response(
        {"ok": True, "site_ids": site_ids, "period": period.to_wire(), **figure.to_wire()}
    )


async def conversation_sentiments(request: web.Request, query: SentimentsQuery) -> web.Response:
    """The mean sentiment of each conversation's visitor messages (-1 … 1), for those of
    `ids` that have one."""
    site_id = await _member_site(request)
    ids = [i for i in query.ids.split(",") if i][:200]
    found = await request.app[reports_key].sentiments(site_id, ids)
    return web.json_response({"ok": True, "sentiments": found})


async def get_settings(request: web.Request) -> web.Response:
    """The goal page, the time zone and the missed time (minutes) of the site's reports."""
    site_id = await _member_site(request)
    found = await request.app[reports_key].settings(site_id)
    return web.json_response(_settings_wire(found))


async def put_settings(request: web.Request, body: ReportSettingsBody) -> web.Response:
    """Admins and owners; without `missed_after_minutes` the missed time stays as it is."""
    site_id = await _member_site(request, manage=True)
    missed = body.missed_after_minutes
    saved = await request.app[reports_key].save_settings(
        site_id, body.goal_path, body.time_zone, int(missed) if missed is not None else None
    )
    return web.json_response(_settings_wire(saved))


def _settings_wire(found: ReportSettings) -> dict[str, object]:
    return {
        "ok": True,
        "goal_path": found.goal_path,
        "time_zone": found.time_zone,
        "missed_after_minutes": found.missed_after_minutes,
    }


async def _member_site(request: web.Request, *, manage: bool = False) -> int:
    ctx = await agent_context(request)
    site_id = commands.whole_id(request.match_info["site_id"], "site id")
    role = ctx.require_member(site_id)
    if manage and role not in (Role.OWNER, Role.ADMIN):
        raise Forbidden("only the site's owners and admins change its report settings")
    return site_id


async def _sites(request: web.Request) -> list[int]:
    ctx = await agent_context(request)
    raw = request.query.get("site_id", "")
    if raw in ("", "all"):
        return sorted(ctx.site_ids)
    site_id = commands.whole_id(raw, "site id")
    ctx.require_member(site_id)
    return [site_id]


def _strings(query: ReportQuery) -> dict[str, str]:
    """The report's parameters as the report service reads a query string."""
    fields = query.model_dump(by_alias=True, exclude_none=True, exclude={"format"})
    return {key: str(value) for key, value in fields.items()}


def _csv(figure: Figure) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(figure.columns)
    writer.writerows(["" if v is None else v for v in row] for row in figure.rows)
    return out.getvalue()
