"""The permission matrix: every console operation, for each role, over HTTP and over the
/agent socket, is allowed or refused exactly as the permission table says; and the table
in docs/permissions.md is the one in the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.domain import Role, Visitor, utcnow
from server.http.console.api import ROUTES
from server.keys import auth_key, console_key, message_store_key, sql_engine_key, webhooks_key
from server.services.console.service import OPERATIONS, Actor
from server.services.team.permissions import Action, markdown, permits
from server.storage.sql.engine import make_sessionmaker
from server.storage.sql.webhooks import WebhookRepository
from tests.console.conftest import Team, add_person

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["agent", "admin", "owner", "outsider"]
# Destructive last: the site must still exist for the others.
ORDER = [op for op in sorted(OPERATIONS) if op not in ("create_site", "delete_site")] + [
    "create_site",
    "delete_site",
]


async def prepare(app, team: Team, role: str) -> dict[str, dict[str, Any]]:
    """What each operation needs to succeed when allowed: ids made by the owner, and two
    personal saved replies of the caller (the owner's for an outsider)."""
    console = app[console_key].console
    actor = Actor(await app[auth_key].authenticate(team.owner.token), "127.0.0.1", "http://x")
    caller = team.by_role("owner" if role == "outsider" else role)
    mine = Actor(await app[auth_key].authenticate(caller.token), "127.0.0.1", "http://x")
    reply = {"scope": "personal", "text": "Hello there"}
    edited = await console.run("create_reply", mine, team.site.id, reply | {"shortcut": "a"})
    removed = await console.run("create_reply", mine, team.site.id, reply | {"shortcut": "b"})
    helper = await add_person(app, team.site, Role.AGENT, "helper")
    leaver = await add_person(app, team.site, Role.AGENT, "leaver")
    invite = await console.run("invite", actor, team.site.id, {"email": "x@y.test"})
    block = await console.run("block", actor, team.site.id, {"kind": "ip", "value": "198.51.100.7"})
    await console.run("create_key", actor, team.site.id, {"slot": "secondary"})
    hooks = await webhook_endpoints(app, team.site.id, 2)
    test = await app[webhooks_key].send_test(team.site.id, hooks[0])
    store = app[message_store_key]
    visitors = [
        Visitor(id=store.new_id(), site_id=team.site.id, first_seen=utcnow(), last_seen=utcnow())
        for _ in range(2)
    ]
    for visitor in visitors:
        await store.save_visitor(visitor)
    recolored = await console.run("add_tag", actor, team.site.id, {"name": "a", "color": "#111111"})
    dropped = await console.run("add_tag", actor, team.site.id, {"name": "b", "color": "#222222"})
    return {
        "export_visitor": {"visitor_id": visitors[0].id},
        "get_retention": {},
        "set_retention": {"days": 30},
        "get_hours": {},
        "set_hours": {"enabled": False},
        "erase_visitor": {"visitor_id": visitors[1].id},
        "get_site": {},
        "update_site": {"name": "Shop A renamed"},
        "update_widget": {"color": "#ff0000"},
        "delete_site": {"confirm": "Shop A renamed"},
        "installation": {},
        "list_team": {},
        "invite": {"email": "new@shop-a.test", "role": "agent"},
        "revoke_invite": {"invite_id": invite["invite"]["id"]},
        "change_role": {"agent_id": helper.agent.id, "role": "admin"},
        "remove_member": {"agent_id": leaver.agent.id},
        "list_blocks": {},
        "block": {"kind": "country", "value": "FR"},
        "unblock": {"block_id": block["block"]["id"]},
        "list_audit": {},
        "list_keys": {},
        "create_key": {"slot": "primary"},
        "revoke_key": {"slot": "secondary"},
        "identity_secret": {},
        "rotate_identity_secret": {},
        "create_site": {"name": "Shop C", "allowed_origins": ["https://c.test"]},
        "list_replies": {},
        "create_reply": {"shortcut": "hi", "text": "Hi {{visitor.name}}", "scope": "personal"},
        "update_reply": {"reply_id": edited["reply"]["id"], "text": "Hello again"},
        "delete_reply": {"reply_id": removed["reply"]["id"]},
        "list_webhooks": {},
        "create_webhook": {"url": "https://8.8.8.8/hooks", "events": ["message.created"]},
        "get_webhook": {"endpoint_id": hooks[0]},
        "update_webhook": {"endpoint_id": hooks[0], "description": "CRM"},
        "rotate_webhook_secret": {"endpoint_id": hooks[0]},
        "test_webhook": {"endpoint_id": hooks[0]},
        "list_webhook_deliveries": {"endpoint_id": hooks[0]},
        "redeliver_webhook": {"endpoint_id": hooks[0], "delivery_id": test.id},
        "delete_webhook": {"endpoint_id": hooks[1]},
        "list_workflow": {},
        "add_tag": {"name": "billing", "color": "#dc2626"},
        "recolor_tag": {"tag_id": recolored["tag"]["id"], "color": "#333333"},
        "remove_tag": {"tag_id": dropped["tag"]["id"]},
        "rename_tag": {"tag_id": recolored["tag"]["id"], "name": "renamed"},
        "set_assignment": {"mode": "round_robin", "cap": 5},
    }


async def webhook_endpoints(app, site_id: int, count: int) -> list[int]:
    """Endpoints saved straight into the database: a private address the console would
    refuse, so deliveries to them never leave the machine (they are refused at sending)."""
    repo = WebhookRepository(make_sessionmaker(app[sql_engine_key]))
    return [
        (
            await repo.create(
                site_id,
                url=f"http://127.0.0.1:9/hook-{n}",
                description="",
                secret="whsec_test",
                events=["message.created"],
                include_agent_only=False,
            )
        ).id
        for n in range(count)
    ]


def expected(role: str, op: str) -> bool:
    action = OPERATIONS[op].action
    if action is Action.CREATE_SITE:
        return role in ("owner", "outsider")  # the outsider owns site B
    return role != "outsider" and permits(Role(role), action)


def route_of(op: str) -> tuple[str, str]:
    return next((route.method, route.path) for route in ROUTES if route.operation == op)


async def over_http(api, token: str, site_id: int, op: str, data: dict) -> tuple[bool, str]:
    method, path = route_of(op)
    data = dict(data)
    path = path.replace("{site_id}", str(site_id))
    for key in (
        "invite_id",
        "agent_id",
        "block_id",
        "slot",
        "reply_id",
        "endpoint_id",
        "delivery_id",
        "visitor_id",
        "tag_id",
    ):
        if "{" + key + "}" in path:
            path = path.replace("{" + key + "}", str(data.pop(key)))
    if method == "GET":
        status, body = await api.request(method, path, token)
    else:
        status, body = await api.request(method, path, token, data)
    assert (status == 200) == body["ok"], (op, status, body)
    return body["ok"], body.get("code", "")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_every_console_action_follows_the_permission_table(
    app, team, api, socket_client, base_url, role, transport
):
    needs = await prepare(app, team, role)
    person = team.by_role(role)
    socket = None
    if transport == "socket":
        socket = await socket_client("/agent", base_url, {"token": person.token})
        await socket.next("session")
    outcomes = {}
    for op in ORDER:
        site_id = team.site.id
        if transport == "http":
            ok, code = await over_http(api, person.token, site_id, op, needs[op])
        else:
            answer = await socket.call(op, {"site_id": site_id, **needs[op]})
            ok, code = answer["ok"], answer.get("code", "")
        outcomes[op] = (ok, code)
    wrong = {
        op: outcome
        for op, outcome in outcomes.items()
        if outcome[0] != expected(role, op) or (not outcome[0] and outcome[1] != "forbidden")
    }
    assert not wrong, f"{role} over {transport}: {wrong}"


def test_every_operation_has_one_http_route():
    routed = [route.operation for route in ROUTES]
    assert sorted(routed) == sorted(OPERATIONS)


def test_the_docs_show_the_table_in_the_code():
    docs = (ROOT / "docs" / "permissions.md").read_text()
    assert markdown() in docs, "regenerate: python -m server.services.team.permissions"
