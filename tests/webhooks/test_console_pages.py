"""Settings → Webhooks in the owner's console: forms that work without scripts."""

from __future__ import annotations

import re

from server.domain import Role
from server.keys import sites_key
from tests.console.conftest import add_person, browser_session, csrf_of


async def test_an_owner_adds_tests_and_redelivers_from_the_console(app, server, base_url, receiver):
    site = await app[sites_key].create_site("Shop A", ["http://shop-a.test"])
    owner = await add_person(app, site, Role.OWNER, "owner")
    page = f"{base_url}/dashboard/settings/{site.id}/webhooks"
    http = await browser_session(base_url, owner.email)
    try:
        async with http.get(page) as response:
            assert response.status == 200
            html = await response.text()
        assert "No endpoints yet." in html and "message.created" in html
        token = csrf_of(html)

        form = [
            ("csrf_token", token),
            ("_action", "create_webhook"),
            ("_bools", "include_agent_only"),
            ("_lists", "events"),
            ("url", "ftp://nope"),
            ("events", "message.created"),
        ]
        async with http.post(page, data=form) as response:
            assert response.status == 400
            assert "must start with https://" in await response.text()

        form[4] = ("url", receiver.url)
        form.append(("events", "conversation.resolved"))
        async with http.post(page, data=form, allow_redirects=False) as response:
            assert response.status == 303
            where = response.headers["Location"]
        assert re.search(r"webhooks\?done=create_webhook&endpoint=\d+$", where)
        async with http.get(base_url + where) as response:
            html = await response.text()
        assert "Endpoint added." in html and receiver.url in html
        assert re.search(r'value="whsec_[^"]+"', html)
        checked = re.findall(r'name="events" value="([^"]+)" checked', html)
        assert checked == ["message.created", "conversation.resolved"]

        endpoint_id = where.rsplit("=", 1)[1]
        here = f"{page}?endpoint={endpoint_id}"
        test = [("csrf_token", token), ("_action", "test_webhook"), ("endpoint_id", endpoint_id)]
        async with http.post(here, data=test) as response:
            assert response.status == 200
        [got] = await receiver.wait_for(lambda r: len(r) >= 1)
        assert got.event == "webhook.test"

        async with http.get(here) as response:
            html = await response.text()
        assert got.delivery in html and "Redeliver" in html

        again = [
            ("csrf_token", token),
            ("_action", "redeliver_webhook"),
            ("endpoint_id", endpoint_id),
            ("delivery_id", got.delivery),
        ]
        async with http.post(here, data=again) as response:
            assert "Queued again as a new delivery." in await response.text()
        await receiver.wait_for(lambda r: len(r) >= 2)
    finally:
        await http.close()


async def test_admins_and_agents_do_not_see_webhooks(app, server, base_url):
    site = await app[sites_key].create_site("Shop A", ["http://shop-a.test"])
    admin = await add_person(app, site, Role.ADMIN, "admin")
    http = await browser_session(base_url, admin.email)
    try:
        async with http.get(f"{base_url}/dashboard/settings/{site.id}/general") as response:
            assert "/webhooks" not in await response.text()
        async with http.get(f"{base_url}/dashboard/settings/{site.id}/webhooks") as response:
            assert response.status == 403
    finally:
        await http.close()
