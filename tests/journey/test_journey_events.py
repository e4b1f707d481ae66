"""Page views, visible time, beacons and visits over the real socket and HTTP."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import aiohttp

from server.keys import message_store_key
from tests.realtime.conftest import SHOP_A, SHOP_B

LANDING = {
    "url": "http://shop-a.test/?utm_source=newsletter&utm_medium=email&utm_campaign=autumn",
    "title": "Home",
    "referrer": "https://mail.example/inbox",
}


def page(path: str, title: str = "") -> dict:
    return {"url": f"http://shop-a.test{path}", "title": title or path, "referrer": ""}


async def views_of(app, tenant, visitor_id):
    """The visitor's page views, oldest first."""
    views = await app[message_store_key].recent_page_views(tenant.site.id, visitor_id, 50)
    return views[::-1]


async def closed_views_of(app, tenant, visitor_id):
    """The page views once the server has handled the disconnect (it runs after the close)."""
    for _ in range(100):
        views = await views_of(app, tenant, visitor_id)
        if views and views[-1].left_at is not None:
            return views
        await asyncio.sleep(0.05)
    raise AssertionError("the server never closed the last page view")


async def test_spa_navigation_records_each_page_and_the_visible_time_of_the_last(
    app, tenant_a, visitor_of, agent_a
):
    visitor = await visitor_of(tenant_a, page=LANDING)
    await agent_a.next("visitor_arrival")

    # The landing page was never visible (a background tab): zero seconds, not the wall clock.
    first = await visitor.call("page_view", {**page("/tents", "Tents"), "seconds": 0})
    second = await visitor.call("page_view", {**page("/tents/ridge-4"), "seconds": 99999})

    assert first["ok"] and second["ok"]
    assert first["page_view_id"] != second["page_view_id"]
    update = await agent_a.next("visitor_updated")
    assert update["pages"][0]["title"] == "Tents"  # the current page
    views = await views_of(app, tenant_a, visitor.session["visitor_id"])
    assert [v.url for v in views] == [
        LANDING["url"],
        page("/tents")["url"],
        page("/tents/ridge-4")["url"],
    ]
    assert views[0].id == visitor.session["page_view_id"]
    assert views[0].seconds == 0.0
    # A report longer than the page was open is cut to the time it was open.
    assert views[1].seconds is not None and views[1].seconds < 60
    assert views[2].seconds is None and views[2].left_at is None


async def test_a_reported_visible_time_outlives_the_disconnect(app, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    view_id = visitor.session["page_view_id"]

    ack = await visitor.call("page_time", {"page_view_id": view_id, "seconds": 0})
    await visitor.close()

    assert ack == {"ok": True, "recorded": True}
    (view,) = await closed_views_of(app, tenant_a, visitor.session["visitor_id"])
    assert (view.seconds, view.left_at is not None) == (0.0, True)


async def test_without_a_report_the_page_gets_its_wall_clock_time(app, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    await visitor.close()

    (view,) = await closed_views_of(app, tenant_a, visitor.session["visitor_id"])
    assert view.left_at is not None and view.seconds is not None and view.seconds >= 0


async def test_page_time_for_another_visitors_page_records_nothing(tenant_a, visitor_of):
    ana, ben = await visitor_of(tenant_a), await visitor_of(tenant_a)

    ack = await ben.call("page_time", {"page_view_id": ana.session["page_view_id"], "seconds": 3})

    assert ack == {"ok": True, "recorded": False}


async def test_malformed_journey_events_get_clear_errors_and_keep_the_socket(tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)

    bad_time = await visitor.call("page_time", {"page_view_id": "nope", "seconds": 3})
    bad_seconds = await visitor.call(
        "page_time", {"page_view_id": visitor.session["page_view_id"], "seconds": "long"}
    )
    bad_page = await visitor.call("page_view", {"url": "javascript:alert(1)", "seconds": 3})
    odd_seconds = await visitor.call("page_view", {**page("/ok"), "seconds": "ten"})

    assert (bad_time["ok"], bad_time["code"]) == (False, "invalid")
    assert (bad_seconds["ok"], bad_seconds["code"]) == (False, "invalid")
    assert (bad_page["ok"], bad_page["code"]) == (False, "invalid")
    assert odd_seconds["ok"] is True  # the page view counts; the odd time is ignored
    assert visitor.sio.connected


async def beacon(base_url: str, body: object, origin: str = SHOP_A) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{base_url}/api/visitor/beacon",
            data=body if isinstance(body, str) else json.dumps(body),
            headers={"Origin": origin, "Content-Type": "text/plain;charset=UTF-8"},
        )
        response.body = await response.read()
        return response


async def test_a_beacon_records_the_last_pages_visible_time(app, base_url, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    await visitor.close()  # the tab closed before the widget could say anything
    await closed_views_of(app, tenant_a, visitor.session["visitor_id"])
    body = {
        "token": visitor.session["visitor_token"],
        "page_view_id": visitor.session["page_view_id"],
        "seconds": 0.2,
    }

    response = await beacon(base_url, body)

    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == SHOP_A
    (view,) = await views_of(app, tenant_a, visitor.session["visitor_id"])
    assert view.seconds == 0.2


async def test_beacons_are_checked_like_the_socket(base_url, tenant_a, tenant_b, visitor_of):
    visitor = await visitor_of(tenant_a)
    other = await visitor_of(tenant_a)
    good = {
        "token": visitor.session["visitor_token"],
        "page_view_id": visitor.session["page_view_id"],
        "seconds": 1,
    }

    forged = await beacon(base_url, {**good, "token": "x.y.z"})
    wrong_origin = await beacon(base_url, good, origin=SHOP_B)
    not_theirs = await beacon(base_url, {**good, "page_view_id": other.session["page_view_id"]})
    not_json = await beacon(base_url, "seconds=1")
    no_view = await beacon(base_url, {**good, "page_view_id": None})

    assert [r.status for r in (forged, wrong_origin, not_theirs, not_json, no_view)] == [
        401,
        403,
        404,
        400,
        400,
    ]
    assert b'"ok": false' in forged.body


async def test_a_long_silence_starts_a_new_visit(app, tenant_a, visitor_of, agent_a):
    visitor = await visitor_of(tenant_a)
    first = await agent_a.next("visitor_arrival")
    store = app[message_store_key]
    stored = await store.get_visitor(tenant_a.site.id, visitor.session["visitor_id"])
    stored.last_seen -= timedelta(minutes=31)  # half an hour of nothing
    await store.save_visitor(stored)

    await visitor.call("page_view", page("/after-lunch"))

    update = await agent_a.next("visitor_updated")
    assert update["visits"] == 2
    assert update["visit_started_at"] > first["visit_started_at"]
    views = await views_of(app, tenant_a, visitor.session["visitor_id"])
    assert views[0].session_id != views[1].session_id


async def test_a_short_pause_stays_in_the_same_visit(app, tenant_a, visitor_of, agent_a):
    visitor = await visitor_of(tenant_a)
    first = await agent_a.next("visitor_arrival")

    await visitor.call("page_view", page("/next"))

    update = await agent_a.next("visitor_updated")
    assert update["visits"] == 1
    assert update["visit_started_at"] == first["visit_started_at"]


async def test_the_summary_names_where_the_visit_came_from(tenant_a, visitor_of, agent_a):
    await visitor_of(tenant_a, page=LANDING)

    arrival = await agent_a.next("visitor_arrival")

    assert arrival["source"] == {
        "label": "newsletter / email",
        "referrer": "https://mail.example/inbox",
        "utm": {"source": "newsletter", "medium": "email", "campaign": "autumn"},
    }
    assert arrival["visit_started_at"] == arrival["pages"][0]["entered_at"]
    assert arrival["flags"] == {}
