"""How services reach connected people, without knowing about sockets.

``realtime`` implements this protocol; tests may record calls with a list-backed one.
"""

from __future__ import annotations

from typing import Any, Protocol


class Broadcaster(Protocol):
    async def to_agents(self, site_id: int, event: str, data: dict[str, Any]) -> None:
        """Every agent connection of the site."""

    async def to_visitor(
        self, visitor_id: str, event: str, data: dict[str, Any], *, exclude: str | None = None
    ) -> None:
        """Every open tab of one visitor, but the connection ``exclude``."""

    async def to_site_visitors(self, site_id: int, event: str, data: dict[str, Any]) -> None:
        """Every visitor connection of the site."""

    async def to_site_visitors_speaking(
        self, site_id: int, language: str, event: str, data: dict[str, Any]
    ) -> None:
        """The site's visitor connections whose browser prefers ``language`` (of those the
        widget speaks; English for the rest)."""

    async def disconnect_agent(
        self, agent_id: int, connection_ids: list[str], *, spare: str | None = None
    ) -> None:
        """Close the agent's /agent connections: those listed (on whichever node holds them)
        and any other this node holds, but ``spare``."""

    async def disconnect_visitor(self, visitor_id: str, connection_ids: list[str]) -> None:
        """Close the visitor's /visitor connections: those listed (on whichever node holds
        them) and any other this node holds."""
