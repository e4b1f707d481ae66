"""Sites as their owners change them: name, origins, widget settings, security switches,
deletion, the installation check and the first owner's sign-up."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from server.domain import (
    Agent,
    Conflict,
    Forbidden,
    InvalidInput,
    Role,
    Site,
    WidgetSettings,
)
from server.services.admission import BLOCKED_RESPONSES, VisitorGate
from server.services.auth import AuthService
from server.services.broadcast import Broadcaster
from server.services.origins import normalize_origin
from server.services.sites import SiteService
from server.services.team import TeamService
from server.services.widget_text import LANGUAGES, widget_wire
from server.storage.sql.site_admin import SiteAdminRepository
from server.storage.sql.team import TeamRepository

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MAX_ORIGINS = 50
PRECHAT = ("off", "optional", "required")


# --- validation -------------------------------------------------------------------------


def clean_origin(value: object) -> str:
    """``https://shop.example`` or ``https://*.shop.example``, normalised; InvalidInput if not."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("an origin must be text like https://example.com")
    raw = value.strip()
    if "*" not in raw:
        origin = normalize_origin(raw)
        if origin is None or len(origin) > 200:
            raise InvalidInput(f"{raw!r} is not an origin like https://example.com")
        return origin
    scheme, sep, rest = raw.partition("://")
    if not sep or not rest.startswith("*.") or "*" in rest[2:]:
        raise InvalidInput(
            f"{raw!r}: a wildcard must be the first label, as in https://*.example.com"
        )
    probe = normalize_origin(f"{scheme}://x.{rest[2:]}")
    if probe is None:
        raise InvalidInput(f"{raw!r} is not an origin like https://*.example.com")
    host = probe.partition("://x.")[2]
    if "." not in host.split(":")[0]:
        raise InvalidInput(f"{raw!r} would match a whole top-level domain; name the domain")
    return probe.replace("://x.", "://*.", 1)


def clean_origins(values: object) -> list[str]:
    if isinstance(values, str):
        values = [line for line in re.split(r"[\s,]+", values) if line]
    if not isinstance(values, list):
        raise InvalidInput("allowed_origins must be a list of origins")
    if len(values) > MAX_ORIGINS:
        raise InvalidInput(f"at most {MAX_ORIGINS} origins")
    cleaned: list[str] = []
    for value in values:
        origin = clean_origin(value)
        if origin not in cleaned:
            cleaned.append(origin)
    return cleaned


def clean_name(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
        raise InvalidInput("the site name must be 1-200 characters")
    return value.strip()


def _text(key: str, value: object, max_len: int, *, required: bool, one_line: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be text")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{key} cannot be empty")
    if len(value) > max_len:
        raise InvalidInput(f"{key} is longer than {max_len} characters", "too_long")
    if one_line and ("\n" in value or "\r" in value):
        raise InvalidInput(f"{key} must be one line")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise InvalidInput(f"{key} contains control characters")
    return value


def _choice(key: str, value: object, choices: Sequence[str]) -> str:
    if value not in choices:
        raise InvalidInput(f"{key} must be one of {', '.join(choices)}")
    return str(value)


def _avatar(value: object) -> str:
    value = _text("avatar_url", value, 500, required=False, one_line=True)
    if value and not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise InvalidInput("avatar_url must be an http(s) address of a picture")
    return value


def _color(value: object) -> str:
    if not isinstance(value, str) or not HEX_COLOR.match(value.strip()):
        raise InvalidInput("color must be a hex colour like #2563eb")
    return value.strip().lower()


RULES: dict[str, Any] = {
    "color": _color,
    "position": lambda v: _choice("position", v, ("left", "right")),
    "greeting": lambda v: _text("greeting", v, 500, required=False, one_line=False),
    "team_name": lambda v: _text("team_name", v, 80, required=True, one_line=True),
    "offline_message": lambda v: _text("offline_message", v, 500, required=False, one_line=False),
    "launcher_text": lambda v: _text("launcher_text", v, 30, required=False, one_line=True),
    "launcher_icon": lambda v: _choice("launcher_icon", v, ("chat", "help")),
    "avatar_url": _avatar,
    "prechat_name": lambda v: _choice("prechat_name", v, PRECHAT),
    "prechat_email": lambda v: _choice("prechat_email", v, PRECHAT),
    "language": lambda v: _choice("language", v, tuple(LANGUAGES)),
}


def _by_default(key: str, default: object, value: object) -> object:
    """Fields other features add to WidgetSettings: checked by the type of their default."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InvalidInput(f"{key} must be true or false")
        return value
    if isinstance(default, str):
        return _text(key, value, 500, required=False, one_line=False)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{key} must be a whole number")
        return value
    raise InvalidInput(f"{key} cannot be changed here")


def validate_widget(data: object, current: WidgetSettings) -> WidgetSettings:
    """``current`` with the fields in ``data`` changed; every field checked, none unknown."""
    if not isinstance(data, dict):
        raise InvalidInput("widget settings must be an object")
    fields = {f.name: f for f in dataclasses.fields(WidgetSettings)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise InvalidInput(f"unknown widget setting {key!r}")
        rule = RULES.get(key)
        changes[key] = rule(value) if rule else _by_default(key, getattr(current, key), value)
    return dataclasses.replace(current, **changes)


def _bool(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} must be true or false")
    return value


# --- the service ------------------------------------------------------------------------


class SiteAdminService:
    def __init__(
        self,
        sites: SiteService,
        admin: SiteAdminRepository,
        team_repo: TeamRepository,
        team: TeamService,
        auth: AuthService,
        gate: VisitorGate,
        broadcast: Broadcaster,
    ) -> None:
        self._sites = sites
        self._admin = admin
        self._team_repo = team_repo
        self._team = team
        self._auth = auth
        self._gate = gate
        self._broadcast = broadcast
        self._signup_lock = asyncio.Lock()

    @property
    def dev_localhost_origins(self) -> bool:
        return self._sites.dev_localhost_origins

    async def settings(self, site_id: int) -> dict[str, Any]:
        site = await self._sites.get(site_id)
        return {
            **site.to_wire(),
            "require_verified_identity": site.require_verified_identity,
            "require_two_factor": site.require_two_factor,
            "blocked_response": site.blocked_response,
            "dev_localhost_origins": self.dev_localhost_origins,
        }

    async def update_site(self, site_id: int, data: dict[str, Any]) -> tuple[Site, dict]:
        """Name, origins and the security switches; returns the site and what changed."""
        site = await self._sites.get(site_id)
        changes: dict[str, Any] = {}
        known = {
            "name",
            "allowed_origins",
            "require_verified_identity",
            "blocked_response",
            "require_two_factor",
        }
        unknown = set(data) - known
        if unknown:
            raise InvalidInput(f"unknown setting {sorted(unknown)[0]!r}")
        if "name" in data:
            changes["name"] = clean_name(data["name"])
        if "allowed_origins" in data:
            changes["allowed_origins"] = clean_origins(data["allowed_origins"])
        if "require_verified_identity" in data:
            changes["require_verified_identity"] = _bool(
                "require_verified_identity", data["require_verified_identity"]
            )
        if "require_two_factor" in data:
            changes["require_two_factor"] = _bool("require_two_factor", data["require_two_factor"])
        if "blocked_response" in data:
            changes["blocked_response"] = _choice(
                "blocked_response", data["blocked_response"], BLOCKED_RESPONSES
            )
        changed = {
            k: v
            for k, v in changes.items()
            if v != (list(site.allowed_origins) if k == "allowed_origins" else getattr(site, k))
        }
        if not changed:
            return site, {}
        updated = await self._admin.update(site_id, **changed)
        self._sites.forget(site_id)
        if "allowed_origins" in changed:
            await self._sites.origin_policy.refresh()
        return updated, changed

    async def update_widget(self, site_id: int, data: object) -> tuple[Site, dict]:
        """Saved, then sent to every open widget of the site: they restyle without a reload."""
        site = await self._sites.get(site_id)
        widget = validate_widget(data, site.widget)
        before, after = site.widget.to_dict(), widget.to_dict()
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if not changed:
            return site, {}
        updated = await self._admin.update(site_id, widget_settings=after)
        self._sites.forget(site_id)
        await self._broadcast.to_site_visitors(
            site_id, "settings_updated", {"widget": widget_wire(updated.widget)}
        )
        return updated, changed

    async def delete(self, site_id: int, confirm: object, *, spare: str | None = None) -> Site:
        """Owner only, with the site's name typed as confirmation."""
        site = await self._sites.get(site_id)
        if not isinstance(confirm, str) or confirm.strip() != site.name:
            raise InvalidInput("type the site's name exactly to confirm deletion")
        members = await self._admin.delete(site_id)
        self._sites.forget(site_id)
        await self._sites.origin_policy.refresh()
        for agent_id in members:
            await self._team.refresh(agent_id, spare=spare)
        return site

    async def installation(self, site_id: int) -> dict[str, Any]:
        site = await self._sites.get(site_id)
        return {"site_key": site.site_key, "last_seen": await self._gate.last_seen(site_id)}

    async def create_site(self, agent: Agent, name: object, origins: object) -> Site:
        if not await self._team_repo.is_owner_anywhere(agent.id):
            raise Forbidden("only an owner of a site may create another one")
        return await self._create_owned(agent, name, origins)

    async def _create_owned(self, agent: Agent, name: object, origins: object) -> Site:
        site = await self._sites.create_site(
            clean_name(name),
            clean_origins(origins if origins is not None else []),
            agent_id=agent.id,
        )
        await self._auth.add_to_site(agent.id, site.id, Role.OWNER)
        return site

    async def signup_open(self) -> bool:
        """The first owner may sign up while the installation has no agent at all."""
        return await self._team_repo.agent_count() == 0

    async def signup(
        self,
        email: object,
        name: object,
        password: object,
        site_name: object,
        origins: object,
    ) -> tuple[Agent, Site]:
        async with self._signup_lock:
            if not await self.signup_open():
                raise Conflict("this installation already has an owner; ask them for an invite")
            if not isinstance(email, str) or not isinstance(password, str):
                raise InvalidInput("e-mail and password are required")
            if not isinstance(name, str) or not name.strip():
                raise InvalidInput("enter your name")
            site_name = clean_name(site_name)
            cleaned = clean_origins(origins if origins is not None else [])
            agent = await self._auth.create_agent(email, password, name.strip())
            site = await self._create_owned(agent, site_name, cleaned)
        return agent, site
