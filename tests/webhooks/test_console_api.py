"""Managing endpoints through the console's JSON API, as an owner (and refused otherwise)."""

from __future__ import annotations

from server.domain import Role
from tests.console.conftest import Api, add_person
from tests.webhooks.conftest import documented_python_verifier


async def test_an_owner_manages_an_endpoint_over_the_api(app, server, base_url, receiver):
    from server.keys import sites_key

    site = await app[sites_key].create_site("Shop A", ["http://shop-a.test"])
    owner = await add_person(app, site, Role.OWNER, "owner")
    admin = await add_person(app, site, Role.ADMIN, "admin")
    api, base = Api(base_url), f"/api/v1/sites/{site.id}/webhooks"

    status, body = await api.request(
        "POST", base, admin.token, {"url": receiver.url, "events": ["message.created"]}
    )
    assert (status, body["code"]) == (403, "forbidden")

    status, body = await api.request(
        "POST", base, owner.token, {"url": receiver.url, "events": ["message.sent"]}
    )
    assert status == 400 and "message.sent is not an event" in body["error"]

    status, body = await api.request(
        "POST",
        base,
        owner.token,
        {"url": receiver.url, "events": ["message.created"], "description": "CRM"},
    )
    assert status == 200, body
    endpoint = body["endpoint"]
    assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"]

    status, body = await api.request("GET", base, owner.token)
    assert [e["description"] for e in body["endpoints"]] == ["CRM"]
    assert "secret" not in body["endpoints"][0]
    assert "message.created" in [t["name"] for t in body["event_types"]]

    status, body = await api.request("POST", f"{base}/{endpoint['id']}/test", owner.token, {})
    assert status == 200, body
    [got] = await receiver.wait_for(lambda r: len(r) >= 1)
    assert got.event == "webhook.test" and got.delivery == body["delivery"]["id"]
    verify = documented_python_verifier()
    assert verify(endpoint["secret"], got.body, got.headers["Porchlight-Signature"])

    status, body = await api.request(
        "PATCH", f"{base}/{endpoint['id']}", owner.token, {"enabled": False}
    )
    assert status == 200 and body["endpoint"]["enabled"] is False

    status, body = await api.request("GET", f"{base}/{endpoint['id']}/deliveries", owner.token)
    assert [d["event"] for d in body["deliveries"]] == ["webhook.test"]
    assert body["has_more"] is False

    status, body = await api.request("DELETE", f"{base}/{endpoint['id']}", owner.token, {})
    assert status == 200 and body["deleted"] == endpoint["id"]
    status, body = await api.request("GET", f"{base}/{endpoint['id']}", owner.token)
    assert status == 404
