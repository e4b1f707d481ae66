"""Placeholders are filled on insert, with words that read well when a value is unknown."""

from __future__ import annotations

import pytest

from server.services.chat.placeholders import ReplyContext, fill

KNOWN = ReplyContext(
    visitor_name="Ana Lima",
    visitor_email="ana@example.com",
    agent_name="Olga Berg",
    site_name="Acme",
)
UNKNOWN = ReplyContext(agent_name="Olga Berg", site_name="Acme")


@pytest.mark.parametrize(
    ("text", "context", "filled"),
    [
        ("Hi {{visitor.name}}!", KNOWN, "Hi Ana Lima!"),
        ("Hi {{visitor.name}}!", UNKNOWN, "Hi there!"),
        ("Hi {{ visitor.first_name }},", KNOWN, "Hi Ana,"),
        ("Hi {{visitor.first_name}},", UNKNOWN, "Hi there,"),
        ("We'll write to {{visitor.email}}.", KNOWN, "We'll write to ana@example.com."),
        ("We'll write to {{visitor.email}}.", UNKNOWN, "We'll write to your e-mail address."),
        ("Hi {{visitor.name|friend}}", UNKNOWN, "Hi friend"),
        ("Hi {{visitor.name | friend }}", KNOWN, "Hi Ana Lima"),
        ("Hi {{visitor.name|}}!", UNKNOWN, "Hi !"),
        ("— {{agent.first_name}} at {{site.name}}", KNOWN, "— Olga at Acme"),
        ("{{agent.name}}", KNOWN, "Olga Berg"),
        ("Order {{order.id}} stays", KNOWN, "Order {{order.id}} stays"),
        ("{{visitor.phone}} stays too", KNOWN, "{{visitor.phone}} stays too"),
        ("No placeholders at all", KNOWN, "No placeholders at all"),
        ("{{visitor.name}} and {{visitor.name}}", KNOWN, "Ana Lima and Ana Lima"),
    ],
)
def test_fill(text, context, filled):
    assert fill(text, context) == filled


def test_a_name_of_spaces_counts_as_unknown():
    assert fill("Hi {{visitor.name}}", ReplyContext(visitor_name="   ")) == "Hi there"


def test_filled_values_are_not_filled_again():
    sneaky = ReplyContext(visitor_name="{{agent.name}}", agent_name="Olga")
    assert fill("Hi {{visitor.name}}", sneaky) == "Hi {{agent.name}}"
