"""What the REST API accepts: one pydantic model per query string and per request body.

These models validate every request of the documented API (``api_registry``) and are the
same objects the OpenAPI document describes. They check the shape (types, lengths,
patterns); the services still own the rules that need the data (a tag of this site, an
agent of this team).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.services.commands import MAX_ATTACHMENTS, MAX_ID

ULID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
TAG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,31}$"
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
FORMATS = {  # what a value of each pattern is, for the error that says it is not one
    ULID_PATTERN: "an id of 26 letters and digits, such as 01JDX3V6T5G2W8R4M9N0P7Q1ZA",
    TAG_PATTERN: "a tag name: 1-32 letters, digits, spaces, '-' or '_'",
    CLIENT_ID_PATTERN: "1-64 letters, digits, '-' or '_'",
    DAY_PATTERN: "a day such as 2026-11-30",
    r"^#[0-9a-fA-F]{6}$": "a colour such as #2563eb",
}

CURSOR = "where the next page starts: the `next_cursor` of the previous page"


class Query(BaseModel):
    """A query string: unknown parameters are ignored, as browsers and proxies add some."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Body(BaseModel):
    """A JSON body: an unknown key is an error, so a misspelt field is never dropped quietly,
    and a value of the wrong JSON type is too (``"yes"`` is not ``true``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- queries ------------------------------------------------------------------------------


class PageQuery(Query):
    limit: int = Field(default=50, ge=1, le=100, description="items per page")
    cursor: str | None = Field(default=None, pattern=ULID_PATTERN, description=CURSOR)
    before: str | None = Field(default=None, pattern=ULID_PATTERN, description="the same as cursor")

    @property
    def start(self) -> str | None:
        return self.cursor or self.before


class ConversationsQuery(PageQuery):
    status: Literal["open", "snoozed", "resolved"] | None = None


class InboxQuery(Query):
    view: Literal["mine", "unassigned", "open", "snoozed", "resolved"] = "open"
    sort: Literal["activity", "waiting"] = "activity"
    tag: str | None = Field(default=None, pattern=TAG_PATTERN)
    site_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=100_000)
    cursor: str | None = Field(default=None, pattern=ULID_PATTERN, description=CURSOR)
    before: str | None = Field(default=None, pattern=ULID_PATTERN, description="the same as cursor")


class ContactsQuery(Query):
    site_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="one site, or all")
    q: str | None = Field(default=None, max_length=200, description="name or e-mail address")
    limit: int = Field(default=30, ge=1, le=50)
    cursor: str | None = Field(default=None, pattern=r"^[0-9]{1,4}$", description=CURSOR)
    offset: int | None = Field(default=None, ge=0, le=1000, description="instead of a cursor")


class ReportQuery(Query):
    site_id: str | None = Field(
        default=None, pattern=r"^([0-9]{1,19}|all)$", description="a site id, or all"
    )
    from_: str | None = Field(
        default=None, alias="from", pattern=DAY_PATTERN, description="first local day"
    )
    to: str | None = Field(default=None, pattern=DAY_PATTERN, description="last local day")
    tz: str | None = Field(default=None, max_length=64, description="an IANA time zone")
    interval: Literal["hour", "day", "week"] | None = None
    missed_after: int | None = Field(
        default=None, ge=1, le=1440, description="minutes without a reply that make a chat missed"
    )
    default_tz: str | None = Field(
        default=None, max_length=64, description="the zone when neither tz nor the site names one"
    )
    business_hours: bool | None = Field(
        default=None,
        description="first response and resolution times counted within each site's "
        "business hours only (for the sites that have hours)",
    )


class FigureQuery(ReportQuery):
    format: Literal["json", "csv"] = "json"


class SearchQuery(Query):
    q: str | None = Field(default=None, max_length=200, description='words, "a phrase", -not')
    site_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="one site, or all")
    order: Literal["newest", "best"] = "newest"
    offset: int = Field(default=0, ge=0, le=1000)
    limit: int = Field(default=20, ge=1, le=50)


class JourneysQuery(Query):
    from_: str | None = Field(
        default=None, alias="from", max_length=40, description="a UTC day or an ISO 8601 time"
    )
    to: str | None = Field(
        default=None, max_length=40, description="a UTC day (included) or an ISO 8601 time"
    )


class SentimentsQuery(Query):
    ids: str = Field(
        default="",
        max_length=100 * 27,
        pattern=r"^[0-9A-HJKMNP-TV-Z,]*$",
        description="up to 100 conversation ids, comma separated",
    )


# --- bodies -------------------------------------------------------------------------------


class LoginBody(Body):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    code: str | None = Field(
        default=None, max_length=64, description="the two-factor code, when it is set up"
    )


class SoundsBody(Body):
    arrival: Literal["continuous", "beep", "off"] | None = None
    message: Literal["continuous", "beep", "off"] | None = None
    volume: float | None = Field(default=None, ge=0, le=1)


class AgentSettingsBody(Body):
    """Any of the settings: the others stay as they are."""

    sounds: SoundsBody | None = None
    notifications: bool | None = Field(default=None, description="desktop notifications")
    email: Literal["all", "assigned", "off"] | None = Field(
        default=None, description="e-mail while no agent of the site is online"
    )


class ReportSettingsBody(Body):
    goal_path: str = Field(default="", max_length=300, description="a path such as /checkout/done")
    time_zone: str = Field(default="", max_length=64, description="an IANA time zone")
    missed_after_minutes: int | Annotated[str, Field(pattern=r"^\s*\d{1,5}\s*$")] | None = Field(
        default=None,
        description="minutes without a reply that make a chat missed (a form's digits too)",
    )


class EditBody(Body):
    text: str = Field(description="the message's new words")


class UploadQuery(Query):
    site_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="the site (an API key's own site by default)"
    )


class AttachmentRef(Body):
    ref: str = Field(
        min_length=1, max_length=4096, description="the `ref` of a `POST /api/v1/uploads` answer"
    )


class SendMessageBody(Body):
    text: str = Field(
        default="",
        description="what the visitor reads (PORCHLIGHT_MAX_MESSAGE_CHARS at most); "
        "may be empty when the message has attachments",
    )
    attachments: list[AttachmentRef] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS, description="files uploaded first"
    )
    client_id: str | None = Field(
        default=None,
        pattern=CLIENT_ID_PATTERN,
        description="your id for the message: sending it again is the same message",
    )
    reply_to: str | None = Field(
        default=None, pattern=ULID_PATTERN, description="the id of a message this one quotes"
    )
    author_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="with an API key: the name the visitor sees (default: the site's team name)",
    )


class NoteBody(Body):
    text: str = Field(min_length=1, description="for the team only")
    client_id: str | None = Field(default=None, pattern=CLIENT_ID_PATTERN)
    reply_to: str | None = Field(default=None, pattern=ULID_PATTERN)


class SnoozeBody(Body):
    until: str | None = Field(
        default=None,
        description="an ISO 8601 time with a zone, within a year; null: until the visitor writes",
    )


class AssignBody(Body):
    assignee_id: int | None = Field(ge=1, le=MAX_ID, description="an agent of the site, or null")
    note: str = Field(default="", max_length=1000, description="for the team only")


TagName = Annotated[str, Field(pattern=TAG_PATTERN)]


class TagsBody(Body):
    add: list[TagName] = Field(default_factory=list, max_length=20)
    remove: list[TagName] = Field(default_factory=list, max_length=20)
