"""Untrusted payloads parsed into commands. Anything malformed raises InvalidInput."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from server.domain import InvalidInput
from server.services.payloads import UnreadablePayload
from server.services.visitors.fingerprint import Fingerprint

MAX_ID = 2**63 - 1  # the largest id SQL's BIGINT (and SQLite's INTEGER) holds
DIGITS = re.compile(r"[0-9]{1,19}")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
DEVICE_FIELDS = {"language": 35, "screen": 20, "time_zone": 64, "user_agent": 512}
LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8}){0,5}")


def require_dict(data: Any, what: str = "payload") -> dict[str, Any]:
    if isinstance(data, UnreadablePayload):
        raise InvalidInput(data.reason)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(f"{what} must be an object")
    return data


def optional_str(data: dict[str, Any], key: str, max_len: int) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string")
    if len(value) > max_len:
        raise InvalidInput(f"{key} is longer than {max_len} characters", "too_long")
    return value


def truncated_str(data: dict[str, Any], key: str, max_len: int) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string")
    return value[:max_len]


def message_id(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not ULID.match(value):
        raise InvalidInput(f"{key} must be a message id")
    return value


def limit(data: dict[str, Any], default: int = 50, maximum: int = 100) -> int:
    value = data.get("limit", default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InvalidInput(f"limit must be a whole number from 1 to {maximum}")
    return value


def positive_int(data: dict[str, Any], key: str) -> int:
    return whole_id(data.get(key), key)


def whole_id(value: object, what: str, *, digits_allowed: bool = True) -> int:
    """A site, agent or record id from a payload or a URL: a whole number from 1 to 2^63-1
    (a number, or when ``digits_allowed`` a string of ASCII digits), else InvalidInput."""
    if digits_allowed and isinstance(value, str) and DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise InvalidInput(f"{what} must be a positive whole number (at most {MAX_ID})")
    return value


@dataclass(frozen=True, slots=True)
class SendMessage:
    client_id: str
    text: str
    attachment_refs: tuple[str, ...] = ()  # signed upload references, checked by the chat
    reply_to: str | None = None  # the id of a message this one quotes
    # A visitor who pressed "Start a new conversation" after a resolve: the message opens a
    # new conversation instead of reopening the resolved one.
    new_conversation: bool = False

    @classmethod
    def parse(cls, data: Any, max_chars: int) -> SendMessage:
        data = require_dict(data)
        client_id = data.get("client_id")
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            raise InvalidInput("client_id must be 1-64 letters, digits, '-' or '_'")
        refs = attachment_refs(data.get("attachments"))
        text = data.get("text", "" if refs else None)
        if not isinstance(text, str):
            raise InvalidInput("text must be a string")
        if len(text) > max_chars:
            raise InvalidInput(f"message is longer than {max_chars} characters", "too_long")
        if not text.strip() and not refs:
            raise InvalidInput("message is empty")
        reply_to = data.get("reply_to")
        if reply_to is not None and not (isinstance(reply_to, str) and ULID.match(reply_to)):
            raise InvalidInput("reply_to must be a message id")
        new_conversation = data.get("new_conversation", False)
        if not isinstance(new_conversation, bool):
            raise InvalidInput("new_conversation must be true or false")
        return cls(
            client_id=client_id,
            text=text,
            attachment_refs=refs,
            reply_to=reply_to,
            new_conversation=new_conversation,
        )


MAX_ATTACHMENTS = 10


def attachment_refs(value: Any) -> tuple[str, ...]:
    """``[{ref}, ...]`` as returned by POST /api/uploads (other keys are ignored)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput("attachments must be a list")
    if len(value) > MAX_ATTACHMENTS:
        raise InvalidInput(f"at most {MAX_ATTACHMENTS} attachments per message", "too_long")
    refs = []
    for item in value:
        ref = item.get("ref") if isinstance(item, dict) else None
        if not isinstance(ref, str) or not 1 <= len(ref) <= 4096:
            raise InvalidInput("attachments must come from an upload: [{ref}]")
        refs.append(ref)
    return tuple(refs)


@dataclass(frozen=True, slots=True)
class PageInfo:
    url: str
    title: str
    referrer: str

    @classmethod
    def parse(cls, data: Any) -> PageInfo:
        """Long values are cut rather than refused: real pages have very long URLs."""
        data = require_dict(data, "page")
        url = truncated_str(data, "url", 2048)
        if not url or urlsplit(url).scheme not in ("http", "https"):
            raise InvalidInput("page url must be an http(s) URL")
        return cls(
            url=url,
            title=truncated_str(data, "title", 300),
            referrer=truncated_str(data, "referrer", 2048),
        )


def parse_languages(data: Any) -> tuple[str, ...]:
    """The browser's preferred languages (``["de-DE", "en"]`` or ``"de-DE,en"``): the first
    ten well-formed tags; anything else is dropped, so an odd browser still gets a widget."""
    if isinstance(data, str):
        data = data.split(",")
    if not isinstance(data, list):
        return ()
    tags = (tag.strip() for tag in data if isinstance(tag, str))
    return tuple(tag for tag in tags if LANGUAGE_TAG.fullmatch(tag))[:10]


def parse_device(data: Any) -> dict[str, Any]:
    """Known device fields only, each a bounded string; unknown keys are dropped."""
    data = require_dict(data, "device")
    device = {}
    for key, max_len in DEVICE_FIELDS.items():
        value = data.get(key)
        if isinstance(value, str) and value:
            device[key] = value[:max_len]
    if data.get("webdriver") is True:  # the browser says a program drives it
        device["webdriver"] = True
    return device


@dataclass(frozen=True, slots=True)
class VisitorHello:
    """What the widget sends when it connects."""

    site_key: str
    visitor_token: str | None
    page: PageInfo | None
    device: dict[str, Any]
    fingerprint: Fingerprint | None = None  # malformed parts are dropped, never refused
    languages: tuple[str, ...] = ()  # navigator.languages; malformed ones are dropped
    resume_token: str | None = None  # from an e-mail's "continue the chat" link

    @classmethod
    def parse(cls, auth: Any) -> VisitorHello:
        auth = require_dict(auth, "auth")
        site_key = auth.get("site_key")
        if not isinstance(site_key, str) or not 1 <= len(site_key) <= 64:
            raise InvalidInput("site_key is required")
        token = auth.get("visitor_token")
        resume = auth.get("resume_token")
        return cls(
            site_key=site_key,
            visitor_token=token if isinstance(token, str) and token else None,
            page=PageInfo.parse(auth["page"]) if auth.get("page") is not None else None,
            device=parse_device(auth.get("device")),
            fingerprint=Fingerprint.parse(auth.get("fingerprint")),
            languages=parse_languages(auth.get("languages")),
            resume_token=resume if isinstance(resume, str) and 0 < len(resume) <= 4096 else None,
        )


@dataclass(frozen=True, slots=True)
class Identify:
    name: str | None
    email: str | None
    # Identity verification: the site's backend signs user_id (hex HMAC-SHA256).
    user_id: str | None = None
    user_hash: str | None = None

    @classmethod
    def parse(cls, data: Any) -> Identify:
        data = require_dict(data)
        email = optional_str(data, "email", 320)
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            raise InvalidInput("email is not an e-mail address")
        user_id = data.get("user_id")
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            user_id = str(user_id)  # Porchlight('identify', {user_id: 42, ...}) is common
        user_id = optional_str({"user_id": user_id}, "user_id", 256)
        user_hash = optional_str(data, "user_hash", 64)
        if user_hash and not re.match(r"^[0-9a-fA-F]{64}$", user_hash):
            raise InvalidInput("user_hash must be a hex HMAC-SHA256 (64 characters)")
        if user_hash and not user_id:
            raise InvalidInput("user_hash needs the user_id it signs")
        return cls(
            name=optional_str(data, "name", 120),
            email=email,
            user_id=user_id,
            user_hash=user_hash,
        )
