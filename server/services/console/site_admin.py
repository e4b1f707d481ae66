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
from server.services.broadcast import Broadcaster
from server.services.chat.admission import BLOCKED_RESPONSES, VisitorGate
from server.services.console.field_checks import check_fields
from server.services.console.origins import normalize_origin
from server.services.console.sites import SiteService
from server.services.console.widget_text import LANGUAGE_CHOICES, LANGUAGES, widget_wire
from server.services.team.auth import AuthService, check_new_password, parse_email
from server.services.team.invites import person_name
from server.services.team.service import TeamService
from server.storage.sql.site_admin import SiteAdminRepository
from server.storage.sql.team import TeamRepository

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MAX_ORIGINS = 50
PRECHAT = ("off", "optional", "required")


# --- validation -------------------------------------------------------------------------

# What the settings pages call each field: messages name fields as people see them.
LABELS = {
    "name": "The site's name",
    "allowed_origins": "Allowed origins",
    "color": "Colour",
    "position": "Position",
    "greeting": "Greeting",
    "team_name": "Team name",
    "offline_message": "Away message",
    "launcher_text": "Launcher text",
    "launcher_icon": "Launcher icon",
    "avatar_url": "Team picture URL",
    "prechat_name": "Asking for a name",
    "prechat_email": "Asking for an e-mail address",
    "language": "Language",
    "require_verified_identity": "Require verified identity",
    "require_two_factor": "Require two-factor sign-in",
    "blocked_response": "What blocked visitors see",
}


def label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _with_scheme(raw: str) -> str:
    """``acme.test`` means ``https://acme.test``; a developer's ``localhost:3000`` is http."""
    if "://" in raw:
        return raw
    host = raw.split("/")[0].rsplit(":", 1)[0].strip("[]").lower()
    local = host == "localhost" or host.endswith(".localhost") or host in ("127.0.0.1", "::1")
    return ("http://" if local else "https://") + raw


def clean_origin(value: object) -> str:
    """``https://shop.example`` or ``https://*.shop.example``, normalised; InvalidInput if not.
    Without a scheme, https is meant (http for localhost)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Enter an origin like https://example.com", field="allowed_origins")
    typed = value.strip()
    raw = _with_scheme(typed)
    if "*" not in raw:
        origin = normalize_origin(raw)
        if raw != typed and origin and not _looks_like_a_host(origin):
            origin = None  # "acme" alone is more likely a slip than an intranet host
        if origin is None or len(origin) > 200:
            raise InvalidInput(
                f"“{typed}” is not an origin like https://example.com", field="allowed_origins"
            )
        return origin
    scheme, sep, rest = raw.partition("://")
    if not sep or not rest.startswith("*.") or "*" in rest[2:]:
        raise InvalidInput(
            f"“{typed}”: a wildcard must be the first label, as in https://*.example.com",
            field="allowed_origins",
        )
    probe = normalize_origin(f"{scheme}://x.{rest[2:]}")
    if probe is None:
        raise InvalidInput(
            f"“{typed}” is not an origin like https://*.example.com",
            field="allowed_origins",
        )
    host = probe.partition("://x.")[2]
    if "." not in host.split(":")[0]:
        raise InvalidInput(
            f"“{typed}” would match a whole top-level domain; name the domain",
            field="allowed_origins",
        )
    return probe.replace("://x.", "://*.", 1)


def _looks_like_a_host(origin: str) -> bool:
    host = origin.partition("://")[2].rsplit(":", 1)[0]
    return "." in host or host.startswith("[") or host == "localhost"


def clean_origins(values: object) -> list[str]:
    if isinstance(values, str):
        values = [line for line in re.split(r"[\s,]+", values) if line]
    if not isinstance(values, list):
        raise InvalidInput("Allowed origins must be a list of origins", field="allowed_origins")
    if len(values) > MAX_ORIGINS:
        raise InvalidInput(f"At most {MAX_ORIGINS} origins", field="allowed_origins")
    cleaned: list[str] = []
    for value in values:
        origin = clean_origin(value)
        if origin not in cleaned:
            cleaned.append(origin)
    return cleaned


def clean_name(value: object, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Enter the site's name", field=field)
    if len(value.strip()) > 200:
        raise InvalidInput(
            "Use at most 200 characters for the site's name", "too_long", field=field
        )
    return value.strip()


def _text(key: str, value: object, max_len: int, *, required: bool, one_line: bool) -> str:
    name = label(key)
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", field=key)
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{name} can't be empty", field=key)
    if len(value) > max_len:
        raise InvalidInput(f"{name} is longer than {max_len} characters", "too_long", field=key)
    if one_line and ("\n" in value or "\r" in value):
        raise InvalidInput(f"{name} must be one line", field=key)
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise InvalidInput(f"{name} contains control characters", field=key)
    return value


def _choice(key: str, value: object, choices: Sequence[str]) -> str:
    if value not in choices:
        raise InvalidInput(f"{label(key)} must be one of {', '.join(choices)}", field=key)
    return str(value)


def _avatar(value: object) -> str:
    value = _text("avatar_url", value, 500, required=False, one_line=True)
    if value and not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise InvalidInput(
            "Enter the picture's address, starting with https://", field="avatar_url"
        )
    return value


def _color(value: object) -> str:
    if not isinstance(value, str) or not HEX_COLOR.match(value.strip()):
        raise InvalidInput("Enter a colour as # and 3 or 6 hex digits, like #2563eb", field="color")
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
    "language": lambda v: _choice("language", v, tuple(LANGUAGE_CHOICES)),
}


def _by_default(key: str, default: object, value: object) -> object:
    """Fields other features add to WidgetSettings: checked by the type of their default."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InvalidInput(f"{label(key)} must be true or false", field=key)
        return value
    if isinstance(default, str):
        return _text(key, value, 500, required=False, one_line=False)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{label(key)} must be a whole number", field=key)
        return value
    raise InvalidInput(f"{label(key)} cannot be changed here", field=key)


def validate_widget(data: object, current: WidgetSettings) -> WidgetSettings:
    """``current`` with the fields in ``data`` changed; every field checked (all the wrong
    ones reported together), none unknown."""
    if not isinstance(data, dict):
        raise InvalidInput("widget settings must be an object")
    fields = {f.name: f for f in dataclasses.fields(WidgetSettings)}
    for key in data:
        if key not in fields:
            raise InvalidInput(f"unknown widget setting {key!r}")

    def rule(key: str, value: object) -> Any:
        check = RULES.get(key)
        return lambda: check(value) if check else _by_default(key, getattr(current, key), value)

    changes = check_fields({key: rule(key, value) for key, value in data.items()})
    return dataclasses.replace(current, **changes)


def _bool(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{label(key)} must be true or false", field=key)
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
        checks: dict[str, Any] = {}
        if "name" in data:
            checks["name"] = lambda: clean_name(data["name"])
        if "allowed_origins" in data:
            checks["allowed_origins"] = lambda: clean_origins(data["allowed_origins"])
        for key in ("require_verified_identity", "require_two_factor"):
            if key in data:
                checks[key] = lambda key=key: _bool(key, data[key])
        if "blocked_response" in data:
            checks["blocked_response"] = lambda: _choice(
                "blocked_response", data["blocked_response"], BLOCKED_RESPONSES
            )
        changes = check_fields(checks)
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
        for language in LANGUAGES:  # each visitor in their browser's language, or the site's
            await self._broadcast.to_site_visitors_speaking(
                site_id,
                language,
                "settings_updated",
                {"widget": widget_wire(updated.widget, [language])},
            )
        return updated, changed

    async def delete(self, site_id: int, confirm: object, *, spare: str | None = None) -> Site:
        """Owner only, with the site's name typed as confirmation."""
        site = await self._sites.get(site_id)
        if not isinstance(confirm, str) or confirm.strip() != site.name:
            raise InvalidInput("Type the site's name exactly to confirm deletion", field="confirm")
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
        checked = check_fields(
            {
                "name": lambda: clean_name(name),
                "allowed_origins": lambda: clean_origins(origins if origins is not None else []),
            }
        )
        site = await self._sites.create_site(
            checked["name"], checked["allowed_origins"], agent_id=agent.id
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
            checked = check_fields(
                {
                    "name": lambda: person_name(name),
                    "email": lambda: parse_email(email),
                    "password": lambda: check_new_password(password),
                    "site_name": lambda: clean_name(site_name, field="site_name"),
                    "allowed_origins": lambda: clean_origins(origins if origins else []),
                }
            )
            email, password, cleaned = (
                checked["email"],
                checked["password"],
                checked["allowed_origins"],
            )
            site_name, name = checked["site_name"], checked["name"]
            agent = await self._auth.create_agent(email, password, name)
            site = await self._create_owned(agent, site_name, cleaned)
        return agent, site
