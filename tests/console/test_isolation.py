"""An admin or owner of site A reaches nothing of site B: not by naming B's site id, not by
passing B's invite, block or member ids under A's site id, over HTTP or the socket."""

from __future__ import annotations

import pytest

from server.keys import auth_key, console_key, webhooks_key
from server.services.console.service import OPERATIONS, Actor
from tests.console.conftest import Team
from tests.console.test_permissions import over_http, webhook_endpoints

GUESSES = {
    "get_site": {},
    "update_site": {"name": "pwned"},
    "update_widget": {"color": "#000000"},
    "delete_site": {"confirm": "Shop B"},
    "installation": {},
    "list_team": {},
    "invite": {"email": "spy@evil.test", "role": "owner"},
    "list_blocks": {},
    "block": {"kind": "country", "value": "DE"},
    "list_audit": {},
    "list_keys": {},
    "create_key": {"slot": "primary"},
    "revoke_key": {"slot": "primary"},
    "identity_secret": {},
    "rotate_identity_secret": {},
    "list_replies": {},
    "create_reply": {"shortcut": "spy", "text": "planted", "scope": "shared"},
    "list_webhooks": {},
    "create_webhook": {"url": "https://8.8.8.8/spy", "events": ["message.created"]},
    "export_visitor": {"visitor_id": "01KAG0C0NV0000000000000001"},
    "erase_visitor": {"visitor_id": "01KAG0C0NV0000000000000001"},
    "get_retention": {},
    "set_retention": {"days": 30},
    "list_workflow": {},
    "add_tag": {"name": "planted", "color": "#000000"},
    "set_assignment": {"mode": "round_robin", "cap": 1},
    "get_hours": {},
    "set_hours": {"enabled": True, "time_zone": "UTC", "holidays": ["2026-12-24"]},
}


async def b_things(app, team: Team) -> dict:
    """An invite, a block, a key and the owner of site B, made by B's owner."""
    console = app[console_key].console
    actor = Actor(await app[auth_key].authenticate(team.other_owner.token), None, "http://x")
    site = team.other_site.id
    invite = await console.run("invite", actor, site, {"email": "b-friend@shop-b.test"})
    block = await console.run("block", actor, site, {"kind": "ip", "value": "192.0.2.1"})
    await console.run("create_key", actor, site, {"slot": "primary"})
    reply = await console.run(
        "create_reply", actor, site, {"shortcut": "thanks", "text": "Thanks!", "scope": "shared"}
    )
    (hook,) = await webhook_endpoints(app, site, 1)
    test = await app[webhooks_key].send_test(site, hook)
    tag = await console.run("add_tag", actor, site, {"name": "vip", "color": "#16a34a"})
    return {
        "invite_id": invite["invite"]["id"],
        "block_id": block["block"]["id"],
        "reply_id": reply["reply"]["id"],
        "endpoint_id": hook,
        "delivery_id": test.id,
        "tag_id": tag["tag"]["id"],
    }


async def b_unchanged(app, team: Team, before: dict) -> None:
    console = app[console_key].console
    actor = Actor(await app[auth_key].authenticate(team.other_owner.token), None, "http://x")
    site = team.other_site.id
    after = {
        "site": (await console.run("get_site", actor, site))["site"],
        "team": (await console.run("list_team", actor, site))["members"],
        "invites": [i["id"] for i in (await console.run("list_team", actor, site))["invites"]],
        "blocks": (await console.run("list_blocks", actor, site))["blocks"],
        "keys": (await console.run("list_keys", actor, site))["keys"],
        "secret": (await console.run("identity_secret", actor, site))["secret"],
        "replies": (await console.run("list_replies", actor, site))["replies"],
        "workflow": await console.run("list_workflow", actor, site),
        "hours": (await console.run("get_hours", actor, site))["hours"],
    }
    assert after == before


async def b_snapshot(app, team: Team) -> dict:
    console = app[console_key].console
    actor = Actor(await app[auth_key].authenticate(team.other_owner.token), None, "http://x")
    site = team.other_site.id
    return {
        "site": (await console.run("get_site", actor, site))["site"],
        "team": (await console.run("list_team", actor, site))["members"],
        "invites": [i["id"] for i in (await console.run("list_team", actor, site))["invites"]],
        "blocks": (await console.run("list_blocks", actor, site))["blocks"],
        "keys": (await console.run("list_keys", actor, site))["keys"],
        "secret": (await console.run("identity_secret", actor, site))["secret"],
        "replies": (await console.run("list_replies", actor, site))["replies"],
        "workflow": await console.run("list_workflow", actor, site),
        "hours": (await console.run("get_hours", actor, site))["hours"],
    }


@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_owner_of_a_cannot_touch_site_b(app, team, api, socket_client, base_url, transport):
    ids = await b_things(app, team)
    before = await b_snapshot(app, team)
    socket = None
    if transport == "socket":
        socket = await socket_client("/agent", base_url, {"token": team.owner.token})
        await socket.next("session")

    async def attempt(site_id: int, op: str, data: dict) -> tuple[bool, str]:
        if transport == "http":
            return await over_http(api, team.owner.token, site_id, op, data)
        answer = await socket.call(op, {"site_id": site_id, **data})
        return answer["ok"], answer.get("code", "")

    # B's site id: every site operation is forbidden.
    for op, data in GUESSES.items():
        assert await attempt(team.other_site.id, op, data) == (False, "forbidden"), op
    sub = {
        "revoke_invite": {"invite_id": ids["invite_id"]},
        "unblock": {"block_id": ids["block_id"]},
        "change_role": {"agent_id": team.other_owner.agent.id, "role": "agent"},
        "remove_member": {"agent_id": team.other_owner.agent.id},
        "update_reply": {"reply_id": ids["reply_id"], "text": "changed"},
        "delete_reply": {"reply_id": ids["reply_id"]},
        "get_webhook": {"endpoint_id": ids["endpoint_id"]},
        "update_webhook": {"endpoint_id": ids["endpoint_id"], "description": "pwned"},
        "rotate_webhook_secret": {"endpoint_id": ids["endpoint_id"]},
        "test_webhook": {"endpoint_id": ids["endpoint_id"]},
        "list_webhook_deliveries": {"endpoint_id": ids["endpoint_id"]},
        "redeliver_webhook": {"endpoint_id": ids["endpoint_id"], "delivery_id": ids["delivery_id"]},
        "delete_webhook": {"endpoint_id": ids["endpoint_id"]},
        "recolor_tag": {"tag_id": ids["tag_id"], "color": "#000000"},
        "rename_tag": {"tag_id": ids["tag_id"], "name": "renamed"},
        "remove_tag": {"tag_id": ids["tag_id"]},
    }
    for op, data in sub.items():
        assert await attempt(team.other_site.id, op, data) == (False, "forbidden"), op
        # B's ids under A's site id, where the owner of A may act: not found, nothing done.
        assert await attempt(team.site.id, op, data) == (False, "not_found"), op
    await b_unchanged(app, team, before)
    assert set(GUESSES) | set(sub) | {"create_site"} == set(OPERATIONS)


async def test_console_pages_of_site_b_are_refused(app, team, base_url):
    from tests.console.conftest import browser_session

    http = await browser_session(base_url, team.owner.email)
    async with http:
        every = (
            "general",
            "widget",
            "install",
            "team",
            "blocking",
            "keys",
            "audit",
            "replies",
            "hours",
        )
        for section in every:
            url = f"{base_url}/dashboard/settings/{team.other_site.id}/{section}"
            async with http.get(url) as response:
                assert response.status == 403, section
                assert team.other_site.site_key not in await response.text()
