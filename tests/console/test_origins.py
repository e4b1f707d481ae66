"""Allowed origins as the console sets them: exact origins and *.example.com wildcards,
enforced at once on the widget's socket (handshake and namespace) and its config request;
an empty list refuses every page, except localhost pages in local development."""

from __future__ import annotations

import pytest

from server.app import create_app
from tests.console.conftest import PAGE_A
from tests.support.sockets import refusal


def hello(site):
    return {"site_key": site.site_key, "page": PAGE_A, "device": {}}


async def set_origins(api, team, origins) -> dict:
    status, body = await api.request(
        "PATCH", f"/api/v1/sites/{team.site.id}", team.admin.token, {"allowed_origins": origins}
    )
    assert status == 200, body
    return body["site"]


async def config_status(api, site, origin: str) -> int:
    status, _ = await api.request(
        "GET", f"/api/widget/config?site_key={site.site_key}", None, Origin=origin
    )
    return status


async def test_wildcards_take_effect_at_once(team, api, socket_client, base_url):
    site = await set_origins(
        api, team, [" https://Shop.example:443/any/path ", "https://*.shop.example"]
    )
    assert site["allowed_origins"] == ["https://shop.example", "https://*.shop.example"]

    for origin in ("https://shop.example", "https://www.shop.example", "https://a.b.shop.example"):
        client = await socket_client("/visitor", base_url, hello(team.site), {"Origin": origin})
        assert (await client.next("session"))["visitor_id"]
        assert await config_status(api, team.site, origin) == 200
    for origin in (
        "http://www.shop.example",  # another scheme
        "https://shop.example.evil.test",
        "https://evilshop.example",
        "http://shop-a.test",  # the origin the site had before
    ):
        assert await refusal(base_url, "/visitor", hello(team.site), {"Origin": origin})
        assert await config_status(api, team.site, origin) == 403


@pytest.mark.parametrize(
    "bad",
    [
        "shop",  # one word is more likely a slip than a host
        "ftp://shop.example",
        "https://*.com",
        "https://*.*.shop.example",
        "https://www.*.shop.example",
        "*",
    ],
)
async def test_malformed_origins_are_refused_and_nothing_changes(team, api, bad):
    status, body = await api.request(
        "PATCH", f"/api/v1/sites/{team.site.id}", team.admin.token, {"allowed_origins": [bad]}
    )
    assert status == 400 and body["code"] == "invalid"
    _, site = await api.request("GET", f"/api/v1/sites/{team.site.id}", team.admin.token)
    assert site["site"]["allowed_origins"] == ["http://shop-a.test"]


async def test_an_origin_typed_without_a_scheme_is_taken_as_https(team, api):
    site = await set_origins(api, team, ["shop.example", "*.shop.example", "localhost:3000"])
    assert site["allowed_origins"] == [
        "https://shop.example",
        "https://*.shop.example",
        "http://localhost:3000",  # a developer's own machine speaks http
    ]


async def test_an_empty_list_refuses_every_page(team, api, base_url):
    await set_origins(api, team, [])
    for origin in ("http://shop-a.test", "http://localhost:3000"):
        assert await refusal(base_url, "/visitor", hello(team.site), {"Origin": origin})
        assert await config_status(api, team.site, origin) == 403


async def test_local_development_lets_localhost_pages_in_while_the_list_is_empty(
    aiohttp_server, app_settings, socket_client
):
    from tests.console.conftest import Api, add_person

    app = create_app(app_settings.with_(dev_localhost_origins=True))
    server = await aiohttp_server(app)
    base_url = str(server.make_url("")).rstrip("/")
    from server.domain import Role
    from server.keys import sites_key

    site = await app[sites_key].create_site("Local", [])
    owner = await add_person(app, site, Role.OWNER, "owner")
    api = Api(base_url)
    _, settings = await api.request("GET", f"/api/v1/sites/{site.id}", owner.token)
    assert settings["site"]["dev_localhost_origins"] is True

    for origin in ("http://localhost:5173", "http://127.0.0.1:8000"):
        client = await socket_client("/visitor", base_url, hello(site), {"Origin": origin})
        assert (await client.next("session"))["visitor_id"]
    assert await refusal(base_url, "/visitor", hello(site), {"Origin": "https://shop.example"})
    # Once the site lists its origins, only those count, localhost included.
    await api.request(
        "PATCH",
        f"/api/v1/sites/{site.id}",
        owner.token,
        {"allowed_origins": ["https://shop.example"]},
    )
    assert await refusal(base_url, "/visitor", hello(site), {"Origin": "http://localhost:5173"})
