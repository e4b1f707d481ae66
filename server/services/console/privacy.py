"""The console's privacy operations (registered into ``console.OPERATIONS`` on import)."""

from __future__ import annotations

from server.domain import InvalidInput
from server.services import commands
from server.services.console.service import Call, ConsoleService, Result, operation
from server.services.team.permissions import Action
from server.services.visitors.privacy import PrivacyService
from server.services.visitors.retention import RetentionService


def _privacy(console: ConsoleService) -> PrivacyService:
    if console.privacy is None:
        raise InvalidInput("visitor data cannot be exported or erased on this server")
    return console.privacy


def _visitor_id(call: Call) -> str:
    value = call.data.get("visitor_id")
    if not isinstance(value, str) or not commands.ULID.match(value):
        raise InvalidInput(
            "Enter a visitor's id, like 01J9Z3QK8M6Y2W4T7V5R0N1B3C", field="visitor_id"
        )
    return value


@operation("export_visitor", Action.VISITOR_DATA, "visitor.exported")
async def _export_visitor(console: ConsoleService, call: Call) -> Result:
    visitor_id = _visitor_id(call)
    export = await _privacy(console).export(call.site_id, visitor_id)
    return {"export": export}, {"visitor": visitor_id}


@operation("erase_visitor", Action.VISITOR_DATA, "visitor.erased")
async def _erase_visitor(console: ConsoleService, call: Call) -> Result:
    visitor_id = _visitor_id(call)
    erased = await _privacy(console).erase(call.site_id, visitor_id)
    return {"erased": erased}, {"visitor": visitor_id, **erased}


def _retention(console: ConsoleService) -> RetentionService:
    if console.retention is None:
        raise InvalidInput("retention is not available on this server")
    return console.retention


@operation("get_retention", Action.VIEW_SETTINGS)
async def _get_retention(console: ConsoleService, call: Call) -> Result:
    return {"retention": await _retention(console).get(call.site_id)}, None


@operation("set_retention", Action.EDIT_SETTINGS, "retention.changed")
async def _set_retention(console: ConsoleService, call: Call) -> Result:
    retention = await _retention(console).set(call.site_id, call.data.get("days"))
    return {"retention": retention}, retention
