"""An agent's own preferences: how the dashboard alerts them. Stored server-side so every
browser the agent signs in from behaves the same."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from server.domain import InvalidInput
from server.storage.sql.agent_settings import AgentSettingsRepository

SOUND_MODES = ("continuous", "beep", "off")
# E-mail while no agent of the site is online: every visitor message, only those in
# conversations assigned to me, or none.
EMAIL_MODES = ("all", "assigned", "off")


@dataclass(frozen=True, slots=True)
class Sounds:
    arrival: str = "beep"  # a visitor arrived on a site
    message: str = "beep"  # a visitor wrote
    volume: float = 0.7


@dataclass(frozen=True, slots=True)
class AgentSettings:
    sounds: Sounds = field(default_factory=Sounds)
    notifications: bool = True  # desktop notifications while the dashboard is hidden
    email: str = "all"  # EMAIL_MODES

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_stored(cls, data: dict[str, Any] | None) -> AgentSettings:
        """Stored values, with defaults for anything missing or no longer valid."""
        try:
            return cls.parse(data or {}, base=cls())
        except InvalidInput:
            return cls()

    @classmethod
    def parse(cls, data: Any, base: AgentSettings) -> AgentSettings:
        """A full or partial update over ``base``; unknown keys are refused, not ignored."""
        if not isinstance(data, dict):
            raise InvalidInput("settings must be a JSON object")
        unknown = set(data) - {"sounds", "notifications", "email"}
        if unknown:
            raise InvalidInput(f"unknown setting: {sorted(unknown)[0]}")
        sounds = base.sounds
        if "sounds" in data:
            sounds = _sounds(data["sounds"], sounds)
        notifications = data.get("notifications", base.notifications)
        if not isinstance(notifications, bool):
            raise InvalidInput("notifications must be true or false")
        email = data.get("email", base.email)
        if email not in EMAIL_MODES:
            raise InvalidInput(f"email must be one of {', '.join(EMAIL_MODES)}")
        return cls(sounds=sounds, notifications=notifications, email=email)


def _sounds(data: Any, base: Sounds) -> Sounds:
    if not isinstance(data, dict):
        raise InvalidInput("sounds must be an object")
    unknown = set(data) - {"arrival", "message", "volume"}
    if unknown:
        raise InvalidInput(f"unknown sound setting: {sorted(unknown)[0]}")
    values = asdict(base)
    for key in ("arrival", "message"):
        if key in data:
            if data[key] not in SOUND_MODES:
                raise InvalidInput(f"sounds.{key} must be one of {', '.join(SOUND_MODES)}")
            values[key] = data[key]
    if "volume" in data:
        volume = data["volume"]
        if isinstance(volume, bool) or not isinstance(volume, int | float) or not 0 <= volume <= 1:
            raise InvalidInput("sounds.volume must be a number from 0 to 1")
        values["volume"] = float(volume)
    return Sounds(**values)


class AgentSettingsService:
    def __init__(self, repo: AgentSettingsRepository) -> None:
        self._repo = repo

    async def get(self, agent_id: int) -> AgentSettings:
        return AgentSettings.from_stored(await self._repo.get(agent_id))

    async def update(self, agent_id: int, data: Any) -> AgentSettings:
        """Apply a full or partial update; bad input changes nothing."""
        settings = AgentSettings.parse(data, base=await self.get(agent_id))
        await self._repo.put(agent_id, settings.to_wire())
        return settings
