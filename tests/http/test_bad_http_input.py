"""Bad input over HTTP is a 400 that says what is wrong, never a 500: bodies nested too
deeply, lone surrogates, ids past 2^63 and digits that are not ASCII digits."""

from __future__ import annotations

import pytest

from tests.support.apps import seed_tenant

SHOP = "http://shop.test"


@pytest.fixture
async def client(aiohttp_client, app):
    return await aiohttp_client(app)


@pytest.fixture
async def owner(app, client):
    tenant = await seed_tenant(app, "Shop", [SHOP])
    return tenant, {"Authorization": f"Bearer {app_token(app, tenant)}"}


def app_token(app, tenant) -> str:
    from server.keys import auth_key

    return app[auth_key].issue_token(tenant.agent)


@pytest.mark.parametrize(
    "body",
    ["[" * 50_000 + "]" * 50_000, '{"email": ' + "[" * 2000 + "]" * 2000 + "}", "{not json"],
)
async def test_a_body_that_is_not_readable_json_is_invalid(client, body):
    response = await client.post(
        "/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status in (400, 413)
    assert (await response.json())["code"] in ("invalid", "too_large")


async def test_a_lone_surrogate_in_a_body_is_replaced(client, owner):
    _, auth = owner
    response = await client.put(
        "/api/v1/me/settings",
        data='{"sounds": {"arrival": "beep\\ud800"}}',
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status == 400  # an unknown sound, said plainly, not a server fault
    assert (await response.json())["code"] == "invalid"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sites/{huge}",
        "/api/v1/sites/{huge}/team",
        "/api/v1/sites/{site}/invites/{huge}",
        "/api/v1/sites/{site}/team/{huge}",
        "/api/v1/sites/{huge}/conversations",
        "/api/v1/sites/{huge}/visitors/01JD0000000000000000000000",
        "/api/v1/sites/%C2%B2/team",
        "/api/v1/sites/%D9%A3/conversations",
    ],
)
async def test_ids_past_two_to_the_63_are_invalid_not_a_fault(client, owner, path):
    tenant, auth = owner
    url = path.format(huge=2**64, site=tenant.site.id)
    method = "DELETE" if "invites/" in url or "team/" in url else "GET"

    response = await client.request(method, url, headers=auth)

    assert response.status == 400, await response.text()
    assert (await response.json())["code"] == "invalid"
