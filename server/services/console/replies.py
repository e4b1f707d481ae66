"""Saved replies as console operations: the same list, add, change and remove over the
JSON API, the /agent socket and the console's Saved replies page.

Each needs the chat permission; a shared reply also needs ``replies.shared`` (admins),
checked by ``SavedReplyService`` with the caller's current role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.services.console.service import Call, Result, int_field, operation
from server.services.team.permissions import Action, permits

if TYPE_CHECKING:
    from server.services.chat.saved_replies import SavedReplyService
    from server.services.console.service import ConsoleService


def _replies(console: ConsoleService) -> SavedReplyService:
    assert console.replies is not None, "ConsoleService was built without saved replies"
    return console.replies


def _audited(reply_wire: dict, detail: dict) -> dict | None:
    """Shared replies are the team's and go in the audit log; personal ones do not."""
    return detail if reply_wire["scope"] == "shared" else None


@operation("list_replies", Action.CHAT)
async def list_replies(console: ConsoleService, call: Call) -> Result:
    replies = await _replies(console).available(call.site_id, call.agent_id)
    return {
        "replies": [r.to_wire() for r in replies],
        "can_manage_shared": permits(call.role, Action.MANAGE_SHARED_REPLIES),
    }, None


@operation("create_reply", Action.CHAT, "saved_reply.created")
async def create_reply(console: ConsoleService, call: Call) -> Result:
    reply = await _replies(console).create(call.site_id, call.agent_id, call.role, call.data)
    wire = reply.to_wire()
    return {"reply": wire}, _audited(wire, {"shortcut": reply.shortcut})


@operation("update_reply", Action.CHAT, "saved_reply.updated")
async def update_reply(console: ConsoleService, call: Call) -> Result:
    reply, changed = await _replies(console).update(
        call.site_id, call.agent_id, call.role, int_field(call.data, "reply_id"), call.data
    )
    wire = reply.to_wire()
    detail = {"shortcut": reply.shortcut, "changed": sorted(changed)} if changed else None
    return {"reply": wire}, _audited(wire, detail) if detail else None


@operation("delete_reply", Action.CHAT, "saved_reply.deleted")
async def delete_reply(console: ConsoleService, call: Call) -> Result:
    reply = await _replies(console).delete(
        call.site_id, call.agent_id, call.role, int_field(call.data, "reply_id")
    )
    wire = reply.to_wire()
    return {"deleted": reply.id}, _audited(wire, {"shortcut": reply.shortcut})
