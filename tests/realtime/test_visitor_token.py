"""The visitor token a page view hands back: the one the page came with while it has most
of its life ahead, a fresh one once it is past half of it (so a visitor who keeps coming
back keeps being recognised), and never one that says something else."""

from __future__ import annotations

import time

from server.keys import settings_key
from server.services.team.tokens import TokenSigner
from tests.realtime.conftest import SHOP_B


async def test_a_page_view_gives_back_the_token_it_came_with(tenant_a, visitor_of):
    first = await visitor_of(tenant_a)
    token = first.session["visitor_token"]

    again = await visitor_of(tenant_a, token=token)

    assert again.session["visitor_id"] == first.session["visitor_id"]
    assert again.session["visitor_token"] == token


async def test_a_token_past_half_its_life_is_renewed_for_a_full_one(app, tenant_a, visitor_of):
    settings = app[settings_key]
    ttl = settings.visitor_token_ttl_seconds
    first = await visitor_of(tenant_a)
    visitor_id = first.session["visitor_id"]
    months_ago = TokenSigner(settings.secret_key, clock=lambda: time.time() - 0.6 * ttl)
    old = months_ago.issue("visitor", visitor_id, ttl, site=tenant_a.site.id)

    again = await visitor_of(tenant_a, token=old)

    renewed = again.session["visitor_token"]
    assert again.session["visitor_id"] == visitor_id
    assert renewed != old
    claims = TokenSigner(settings.secret_key).verify(renewed, "visitor")
    assert claims["sub"] == visitor_id
    assert claims["exp"] > time.time() + 0.9 * ttl


async def test_another_sites_token_is_not_handed_back(tenant_a, tenant_b, visitor_of):
    on_a = await visitor_of(tenant_a)
    token = on_a.session["visitor_token"]

    on_b = await visitor_of(tenant_b, origin=SHOP_B, token=token)

    assert on_b.session["visitor_id"] != on_a.session["visitor_id"]
    assert on_b.session["visitor_token"] != token
