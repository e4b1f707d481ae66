"""The console's business-hours operations (registered into ``console.OPERATIONS`` on import)."""

from __future__ import annotations

from server.domain import InvalidInput
from server.services.console.business_hours import HoursService
from server.services.console.service import Call, ConsoleService, Result, operation
from server.services.team.permissions import Action


def _hours(console: ConsoleService) -> HoursService:
    hours = getattr(console, "hours", None)
    if hours is None:
        raise InvalidInput("business hours are not available on this server")
    return hours


@operation("get_hours", Action.VIEW_SETTINGS)
async def _get_hours(console: ConsoleService, call: Call) -> Result:
    return {"hours": (await _hours(console).settings(call.site_id)).to_wire()}, None


@operation("set_hours", Action.EDIT_SETTINGS, "hours.changed")
async def _set_hours(console: ConsoleService, call: Call) -> Result:
    hours = (await _hours(console).save(call.site_id, call.data)).to_wire()
    return {"hours": hours}, {"enabled": hours["enabled"], "time_zone": hours["time_zone"]}
