"""What the owner's console API accepts (``/api/v1/sites/...``): one pydantic model per query
string and per body, in the documented API like the rest of it (``console_api`` adds the
routes). The models check the shape; the console services keep the rules that need the
data (a free shortcut, a reachable webhook URL, the caller's role)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from server.http.api.models import TAG_PATTERN, ULID_PATTERN, Body, Query
from server.services.chat.workflow import MAX_CAP

COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
SHORTCUT = "what the agent types after /: 1-32 letters, digits, '.', '-' or '_'"
Short = Annotated[str | None, Field(max_length=200)]
Text = Annotated[str, Field(max_length=10_000)]
Name = Annotated[str, Field(max_length=200)]
Origins = list[Annotated[str, Field(max_length=300)]] | Annotated[str, Field(max_length=20_000)]
Clock = Annotated[str, Field(pattern=r"^\s*\d{1,2}:\d{2}\s*$", description="such as 09:00")]
Range = Annotated[list[Clock], Field(min_length=2, max_length=2, description="[from, to]")]
Day = list[Range]


class CreateSiteBody(Body):
    name: Name = Field(description="what the team calls the site")
    allowed_origins: Origins = Field(
        default_factory=list,
        description="the origins the widget may run on, such as https://shop.example",
    )


class UpdateSiteBody(Body):
    name: Name | None = None
    allowed_origins: Origins | None = None
    require_verified_identity: bool | None = Field(
        default=None, description="visitors must be identified with the identity secret to write"
    )
    require_two_factor: bool | None = Field(default=None, description="owners only")
    blocked_response: Literal["offline", "hidden"] | None = Field(
        default=None, description="what blocked visitors get: the away state or no widget"
    )


class DeleteSiteBody(Body):
    confirm: Name = Field(description="the site's name, typed again")


class WidgetBody(Body):
    """Any of the widget's settings; the open widgets restyle at once."""

    color: str | None = Field(default=None, max_length=32, description="#rrggbb")
    position: Literal["left", "right"] | None = None
    greeting: Text | None = None
    team_name: Name | None = None
    offline_message: Text | None = None
    fingerprint_requires_consent: bool | None = None
    typing_preview: bool | None = None
    show_agent_typing_text: bool | None = None
    launcher_text: Name | None = None
    launcher_icon: Literal["chat", "help"] | None = None
    avatar_url: str | None = Field(default=None, max_length=2000)
    prechat_name: Literal["off", "optional", "required"] | None = None
    prechat_email: Literal["off", "optional", "required"] | None = None
    language: str | None = Field(default=None, max_length=8, description="auto, en, de, fr …")


class InviteBody(Body):
    email: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Literal["owner", "admin", "agent"] = "agent"


class RoleBody(Body):
    role: Literal["owner", "admin", "agent"]


class BlockBody(Body):
    kind: str = Field(max_length=32, description="visitor, ip or country")
    value: str = Field(
        max_length=200, description="a visitor id, an address or CIDR range, a country code"
    )
    note: str | None = Field(default=None, max_length=1000)


class AuditQuery(Query):
    before: int | None = Field(default=None, ge=1, le=2**63 - 1, description="an entry id")
    limit: int = Field(default=50, ge=1, le=200)


class ReplyBody(Body):
    """Wrong fields are told all at once, in the words the Settings page uses."""

    shortcut: Short = Field(default=None, description=SHORTCUT)
    title: Name | None = None
    text: Text | None = None
    scope: Short = Field(default=None, description="personal (default), or shared: the team")


class ReplyChangeBody(Body):
    shortcut: Short = Field(default=None, description=SHORTCUT)
    title: Name | None = None
    text: Text | None = None


class RetentionBody(Body):
    days: int | None = Field(ge=0, le=3650, description="0 or null: keep everything")


class HoursBody(Body):
    enabled: bool = False
    time_zone: str = Field(default="UTC", max_length=64, description="an IANA time zone")
    week: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], Day] = Field(
        default_factory=dict, description="each day's open ranges"
    )
    holidays: (
        list[Annotated[str, Field(max_length=20)]] | Annotated[str, Field(max_length=8000)]
    ) = Field(
        default_factory=list, description="closed days such as 2026-12-25 (a list, or one per line)"
    )
    reply_open: Text = Field(default="", description="an automatic first reply inside hours")
    reply_closed: Text = Field(default="", description="… and outside them")


class WebhookBody(Body):
    url: str = Field(max_length=2000, description="an http(s) URL")
    description: Name = ""
    events: list[Annotated[str, Field(max_length=64)]] = Field(max_length=50)
    include_agent_only: bool = Field(default=False, description="private notes too")


class WebhookChangeBody(Body):
    url: str | None = Field(default=None, max_length=2000)
    description: Name | None = None
    events: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=50)
    include_agent_only: bool | None = None
    enabled: bool | None = None


class DeliveriesQuery(Query):
    before: str | None = Field(default=None, pattern=ULID_PATTERN, description="a delivery id")


class TagBody(Body):
    name: str = Field(pattern=TAG_PATTERN)
    color: str = Field(pattern=COLOR_PATTERN, description="such as #2563eb")


class TagColorBody(Body):
    color: str = Field(pattern=COLOR_PATTERN)


class TagNameBody(Body):
    name: str = Field(max_length=200, description="the new name; conversations keep the tag")


class AssignmentBody(Body):
    mode: Literal["off", "round_robin"] = "off"
    cap: int = Field(
        default=0, ge=0, le=MAX_CAP, description="open conversations per agent; 0: no limit"
    )


class PasswordBody(Body):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)
