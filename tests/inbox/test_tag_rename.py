"""An owner renames a tag under Settings → Inbox: the conversations carrying it carry the
new name, the audit log says who renamed what, and a name already taken is refused."""

from __future__ import annotations

from server.keys import console_key, message_store_key
from tests.console.conftest import browser_session, csrf_of
from tests.inbox.test_lifecycle import start_chat
from tests.inbox.test_settings_and_presence import owner_actor


async def test_a_renamed_tag_follows_onto_its_conversations_and_is_audited(
    app, tenant_a, base_url, agent_of, visitor_of
) -> None:
    console, site_id = app[console_key].console, tenant_a.site.id
    owner = await owner_actor(app, tenant_a)
    bug = (await console.run("add_tag", owner, site_id, {"name": "bug", "color": "#7c3aed"}))["tag"]
    await console.run("add_tag", owner, site_id, {"name": "vip", "color": "#16a34a"})
    agent = await agent_of(tenant_a.email)
    conversation_id = (await start_chat(await visitor_of(tenant_a)))["conversation_id"]
    tagged = await agent.call("tag", {"conversation_id": conversation_id, "add": ["vip", "bug"]})
    assert tagged["ok"], tagged

    http = await browser_session(base_url, tenant_a.email)
    page = f"{base_url}/dashboard/settings/{site_id}/inbox"
    async with http:
        async with http.get(page) as response:
            token = csrf_of(await response.text())
        form = {"csrf_token": token, "_action": "rename_tag", "tag_id": str(bug["id"])}
        async with http.post(page, data={**form, "name": "Defect"}) as response:
            assert response.status == 200
            html = await response.text()
        assert "Tag renamed" in html and 'value="defect"' in html
        async with http.post(page, data={**form, "name": "vip"}) as response:
            assert response.status == 400
            assert "The tag “vip” exists already" in await response.text()

    # The open dashboard is told to read its desk and inbox again (once: the refused
    # rename changed nothing).
    assert await agent.next("desk_changed") == {"site_id": site_id, "retagged": 1}
    assert await agent.nothing("desk_changed")
    desk = await agent.call("desk", {})
    [mine] = [s for s in desk["sites"] if s["site_id"] == site_id]
    assert sorted(t["name"] for t in mine["tags"]) == ["defect", "vip"]

    conversation = await app[message_store_key].get_conversation(site_id, conversation_id)
    assert conversation.tags == ("vip", "defect")  # in the old name's place
    tags = await console.run("list_workflow", owner, site_id)
    assert sorted(t["name"] for t in tags["tags"]) == ["defect", "vip"]
    [renamed] = [e for e in await console.audit.page(site_id) if e.action == "tag.renamed"]
    assert renamed.agent_id == owner.ctx.agent.id
    assert renamed.detail == {"name": "defect", "from": "bug"}
