"""Placeholders in saved replies: ``{{visitor.name}}`` and friends, filled on insert.

``{{visitor.name|friend}}`` gives a fallback of its own; without one, an unknown value
falls back to words that read well in a sentence ("Hi there"). A placeholder this module
does not know stays as it was typed, so the agent sees it before sending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+\.[a-z_]+)\s*(?:\|([^{}]*))?\}\}")

FALLBACKS: Mapping[str, str] = {
    "visitor.name": "there",
    "visitor.first_name": "there",
    "visitor.email": "your e-mail address",
    "agent.name": "our team",
    "agent.first_name": "our team",
    "site.name": "us",
}


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a reply can name: the conversation's visitor (as they told us, never the
    "Visitor 4k2j9a" label the dashboard makes up), the agent inserting it, the site."""

    visitor_name: str | None = None
    visitor_email: str | None = None
    agent_name: str | None = None
    site_name: str | None = None

    def values(self) -> dict[str, str | None]:
        return {
            "visitor.name": self.visitor_name,
            "visitor.first_name": _first(self.visitor_name),
            "visitor.email": self.visitor_email,
            "agent.name": self.agent_name,
            "agent.first_name": _first(self.agent_name),
            "site.name": self.site_name,
        }


def fill(text: str, context: ReplyContext) -> str:
    values = context.values()

    def replace(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        if name not in FALLBACKS:
            return match.group(0)
        value = (values.get(name) or "").strip()
        if value:
            return value
        return fallback.strip() if fallback is not None else FALLBACKS[name]

    return PLACEHOLDER.sub(replace, text)


def _first(name: str | None) -> str | None:
    words = (name or "").split()
    return words[0] if words else None
