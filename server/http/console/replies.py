"""What the owner's console API answers, for the OpenAPI document (see ``api_replies``)."""

from __future__ import annotations

from typing import Any

from server.http.api.replies import Ok

Object = dict[str, Any]


class SiteReply(Ok):
    site: Object


class SiteDeleted(Ok):
    deleted: int


class WidgetReply(Ok):
    widget: Object


class Installation(Ok):
    site_key: str
    last_seen: Any


class Team(Ok):
    members: list[Object]
    invites: list[Object]


class InviteReply(Ok):
    invite: Object


class RoleReply(Ok):
    agent_id: int
    role: str


class Removed(Ok):
    removed: Any


class Blocks(Ok):
    blocks: list[Object]
    blocked_response: str


class BlockReply(Ok):
    block: Object


class Audit(Ok):
    entries: list[Object]
    has_more: bool


class Keys(Ok):
    keys: list[Object]


class KeyCreated(Ok):
    api_key: Object
    key: str


class KeyRevoked(Ok):
    revoked: str


class Secret(Ok):
    secret: str


class SavedReplies(Ok):
    replies: list[Object]


class SavedReplyReply(Ok):
    reply: Object


class Deleted(Ok):
    deleted: Any


class Retention(Ok):
    retention: Object


class Hours(Ok):
    hours: Object


class Webhooks(Ok):
    endpoints: list[Object]
    event_types: list[Object]


class WebhookReply(Ok):
    endpoint: Object


class DeliveryReply(Ok):
    delivery: Object


class Deliveries(Ok):
    deliveries: list[Object]
    has_more: bool


class Workflow(Ok):
    tags: list[Object]
    assignment: Object


class TagReply(Ok):
    tag: Object


class Assignment(Ok):
    assignment: Object


class PasswordChanged(Ok):
    token: str
