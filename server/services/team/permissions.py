"""Who may do what in a site: the one permission table.

Roles are ranked owner > admin > agent; each action names the least role that may do it.
``docs/permissions.md`` is rendered from this table (``python -m server.services.team.permissions``)
and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.domain import Forbidden, Role

RANK = {Role.AGENT: 0, Role.ADMIN: 1, Role.OWNER: 2}


class Action(StrEnum):
    CHAT = "chat"
    MANAGE_SHARED_REPLIES = "replies.shared"
    VIEW_MESSAGE_HISTORY = "messages.history"
    VIEW_SETTINGS = "settings.view"
    EDIT_SETTINGS = "settings.edit"
    MANAGE_BLOCKS = "blocks.manage"
    VISITOR_DATA = "visitors.data"
    VIEW_TEAM = "team.view"
    MANAGE_TEAM = "team.manage"
    MANAGE_OWNERS = "owners.manage"
    VIEW_AUDIT = "audit.view"
    MANAGE_KEYS = "keys.manage"
    MANAGE_WEBHOOKS = "webhooks.manage"
    IDENTITY_SECRET = "identity.secret"
    DELETE_SITE = "site.delete"
    CREATE_SITE = "site.create"


@dataclass(frozen=True, slots=True)
class Rule:
    least: Role
    what: str


RULES: dict[Action, Rule] = {
    Action.CHAT: Rule(
        Role.AGENT,
        "see the site's visitors and conversations, answer chats, write private notes, "
        "edit and delete their own messages, keep personal saved replies",
    ),
    Action.MANAGE_SHARED_REPLIES: Rule(
        Role.ADMIN, "add, change and remove the team's shared saved replies"
    ),
    Action.VIEW_MESSAGE_HISTORY: Rule(
        Role.ADMIN, "read what edited and deleted messages said before (the audit view)"
    ),
    Action.VIEW_SETTINGS: Rule(
        Role.ADMIN, "see the site's settings, embed snippet and installation check"
    ),
    Action.EDIT_SETTINGS: Rule(
        Role.ADMIN,
        "rename the site; change allowed origins, widget settings, the "
        "“require verified identity” switch and what blocked visitors get",
    ),
    Action.MANAGE_BLOCKS: Rule(Role.ADMIN, "block and unblock visitors, IP ranges and countries"),
    Action.VISITOR_DATA: Rule(
        Role.ADMIN,
        "export everything held about a visitor as JSON, and erase a visitor "
        "(their right to be forgotten)",
    ),
    Action.VIEW_TEAM: Rule(Role.ADMIN, "see the team and pending invites"),
    Action.MANAGE_TEAM: Rule(
        Role.ADMIN, "invite agents and admins, change roles between agent and admin, remove them"
    ),
    Action.MANAGE_OWNERS: Rule(
        Role.OWNER, "invite owners, make someone owner, demote or remove an owner"
    ),
    Action.VIEW_AUDIT: Rule(Role.OWNER, "read the audit log"),
    Action.MANAGE_KEYS: Rule(Role.OWNER, "see, generate and revoke server-side API keys"),
    Action.MANAGE_WEBHOOKS: Rule(
        Role.OWNER,
        "add, change and remove webhook endpoints, see their secrets and delivery log, "
        "send test events and redeliver",
    ),
    Action.IDENTITY_SECRET: Rule(Role.OWNER, "reveal and rotate the identity verification secret"),
    Action.DELETE_SITE: Rule(Role.OWNER, "delete the site"),
    Action.CREATE_SITE: Rule(Role.OWNER, "create another site (owner of at least one site)"),
}


# What a site's server-side API key may do in its own site: chat like an agent, and answer
# a visitor's request for their data (export, erasure) from the site's own backend.
API_KEY_ACTIONS = frozenset({Action.CHAT, Action.VISITOR_DATA})


def permits(role: Role | None, action: Action) -> bool:
    return role is not None and RANK[role] >= RANK[RULES[action].least]


def require(role: Role | None, action: Action) -> Role:
    """The role, when it may do ``action``; Forbidden otherwise."""
    if role is None:
        raise Forbidden("you are not a member of that site")
    if not permits(role, action):
        least = RULES[action].least
        raise Forbidden(
            "only an owner may do that" if least is Role.OWNER else "only an admin may do that"
        )
    return role


def require_key(action: Action) -> Role:
    """An API key acts as an agent of its site, for the actions keys may do."""
    if action not in API_KEY_ACTIONS:
        raise Forbidden("an API key may not do that; sign in as an admin or owner")
    return Role.AGENT


def markdown() -> str:
    """The table as docs/permissions.md shows it."""
    roles = [Role.AGENT, Role.ADMIN, Role.OWNER]
    lines = [
        "| action | what it covers | " + " | ".join(r.value for r in roles) + " | API key |",
        "|---|---|" + "---|" * (len(roles) + 1),
    ]
    for action, rule in RULES.items():
        marks = " | ".join("yes" if permits(r, action) else "—" for r in roles)
        key = "yes" if action in API_KEY_ACTIONS else "—"
        lines.append(f"| `{action.value}` | {rule.what} | {marks} | {key} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
