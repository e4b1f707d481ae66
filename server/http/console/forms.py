"""Which fields each console form shows, so an error is shown beside its own field.

An error about a field the posted form does not show (a crafted post, or a rule about the
whole form) is shown in one line at the top of the page instead, never lost.
"""

from __future__ import annotations

from typing import Any

from server.domain import DomainError, field_errors

# operation → the fields its form shows an error beside
FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "create_site": ("name", "allowed_origins"),
    "update_site": ("name", "allowed_origins"),
    "delete_site": ("confirm",),
    "update_widget": (
        "color",
        "launcher_text",
        "team_name",
        "avatar_url",
        "greeting",
        "offline_message",
    ),
    "invite": ("email", "role"),
    "block": ("kind", "value", "note"),
    "set_retention": ("days",),
    "erase_visitor": ("visitor_id",),
    "create_reply": ("shortcut", "title", "text"),
    "update_reply": ("shortcut", "title", "text"),
    "create_webhook": ("url", "description", "events"),
    "update_webhook": ("url", "description", "events"),
    "add_tag": ("name", "color"),
    "set_assignment": ("cap",),
    "set_hours": (
        "time_zone",
        "week",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "holidays",
        "reply_open",
        "reply_closed",
    ),
}


def sentence(message: str) -> str:
    """A message as a sentence: its first word capitalised, unless that word is data
    (an address, a host, a code) that must read as typed."""
    first = message.split(" ", 1)[0]
    return message[:1].upper() + message[1:] if first.isalpha() else message


def error_context(error: DomainError | None, operation: str = "") -> dict[str, Any]:
    """``field_errors``: the messages to show beside the posted form's fields;
    ``error``: the message for the top of the page, when one is not beside a field."""
    if error is None:
        return {"error": None, "field_errors": {}, "posted": operation}
    shown = FORM_FIELDS.get(operation, ())
    fields = {name: sentence(text) for name, text in field_errors(error).items()}
    beside = {name: text for name, text in fields.items() if name in shown}
    elsewhere = [text for name, text in fields.items() if name not in shown]
    top = elsewhere[0] if elsewhere else None if beside else sentence(error.message)
    return {"error": top, "field_errors": beside, "posted": operation}
