"""The visitor profile and journey analytics endpoints, and the batched visitor list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp

from server.http.api import replies
from server.keys import message_store_key
from tests.realtime.conftest import login_token
from tests.support.apps import seed_tenant


def page(path: str, query: str = "") -> dict:
    return {"url": f"http://shop-a.test{path}{query}", "title": path, "referrer": ""}


async def get(base_url: str, path: str, token: str | None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{base_url}{path}", headers=headers) as response,
    ):
        return response.status, await response.json()


async def walk(visitor, *paths: str) -> None:
    for path in paths:
        ack = await visitor.call("page_view", {**page(path), "seconds": 0})
        assert ack["ok"], ack


async def test_the_profile_shows_every_visit_with_its_pages_and_conversations(
    base_url, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a, page=page("/", "?utm_source=ads"))
    await walk(visitor, "/tents", "/checkout")
    await visitor.call("send_message", {"client_id": "c-1", "text": "is shipping free?"})
    token = await login_token(base_url, tenant_a.email)
    visitor_id = visitor.session["visitor_id"]

    status, body = await get(
        base_url, f"/api/v1/sites/{tenant_a.site.id}/visitors/{visitor_id}", token
    )

    assert status == 200 and body["ok"] is True
    assert body["visitor"]["id"] == visitor_id and body["visitor"]["online"] is True
    (visit,) = body["visits"]
    assert [p["url"] for p in visit["pages"]] == [
        "http://shop-a.test/?utm_source=ads",
        "http://shop-a.test/tents",
        "http://shop-a.test/checkout",
    ]
    assert visit["source"]["label"] == "ads"
    assert visit["ended_at"] is None and visit["partial"] is False
    (conversation,) = body["conversations"]
    assert conversation["preview"] == "is shipping free?"


async def test_the_profile_is_for_members_of_the_site_only(app, base_url, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    stranger = await seed_tenant(app, "Elsewhere", ["http://elsewhere.test"])
    theirs = await login_token(base_url, stranger.email)
    ours = await login_token(base_url, tenant_a.email)
    path = f"/api/v1/sites/{tenant_a.site.id}/visitors/{visitor.session['visitor_id']}"

    assert (await get(base_url, path, None))[0] == 401
    assert (await get(base_url, path, theirs))[0] == 403
    missing = f"/api/v1/sites/{tenant_a.site.id}/visitors/01JZZZZZZZZZZZZZZZZZZZZZZZ"
    assert (await get(base_url, missing, ours))[0] == 404
    assert (await get(base_url, f"/api/v1/sites/{tenant_a.site.id}/visitors/x", ours))[0] == 400


async def test_journey_analytics_rank_pages_entries_and_exits(base_url, tenant_a, visitor_of):
    ana = await visitor_of(tenant_a, page=page("/", "?utm_campaign=x&gclid=123"))
    await walk(ana, "/tents", "/checkout")
    ben = await visitor_of(tenant_a, page=page("/blog"))
    await walk(ben, "/tents")
    await ana.close()
    await ben.close()
    token = await login_token(base_url, tenant_a.email)

    status, body = await get(
        base_url, f"/api/v1/sites/{tenant_a.site.id}/analytics/journeys", token
    )

    assert status == 200
    assert body["totals"]["views"] == 5
    assert (body["totals"]["visits"], body["totals"]["visitors"]) == (2, 2)
    top = body["top_pages"]
    assert top[0]["url"] == "http://shop-a.test/tents" and top[0]["views"] == 2
    # Tracking parameters do not make a page of their own.
    assert {p["url"] for p in top} == {
        "http://shop-a.test/",
        "http://shop-a.test/tents",
        "http://shop-a.test/checkout",
        "http://shop-a.test/blog",
    }
    assert all(p["avg_seconds"] is None or p["avg_seconds"] >= 0 for p in top)
    assert sorted((p["url"], p["visits"]) for p in body["entry_pages"]) == [
        ("http://shop-a.test/", 1),
        ("http://shop-a.test/blog", 1),
    ]
    assert sorted((p["url"], p["visits"]) for p in body["exit_pages"]) == [
        ("http://shop-a.test/checkout", 1),
        ("http://shop-a.test/tents", 1),
    ]


async def test_journey_analytics_cover_the_chosen_period(base_url, tenant_a, visitor_of):
    await visitor_of(tenant_a)
    token = await login_token(base_url, tenant_a.email)
    today_ = datetime.now(UTC).date()
    month_ago, yesterday = today_ - timedelta(days=30), today_ - timedelta(days=1)
    path = f"/api/v1/sites/{tenant_a.site.id}/analytics/journeys"

    _, past = await get(base_url, f"{path}?from={month_ago}&to={yesterday}", token)
    _, today = await get(base_url, f"{path}?from={today_}", token)

    assert past["totals"]["views"] == 0 and past["top_pages"] == []
    assert today["totals"]["views"] == 1


async def test_journey_analytics_refuse_bad_periods(app, base_url, tenant_a):
    token = await login_token(base_url, tenant_a.email)
    stranger = await seed_tenant(app, "Elsewhere", ["http://elsewhere.test"])
    path = f"/api/v1/sites/{tenant_a.site.id}/analytics/journeys"

    bad_date = await get(base_url, f"{path}?from=yesterday", token)
    backwards = await get(base_url, f"{path}?from=2026-02-01&to=2026-01-01", token)
    too_long = await get(base_url, f"{path}?from=2020-01-01&to=2026-01-01", token)
    not_member = await get(base_url, path, await login_token(base_url, stranger.email))

    assert [r[0] for r in (bad_date, backwards, too_long, not_member)] == [400, 400, 400, 403]
    assert bad_date[1]["code"] == "invalid" and "from" in bad_date[1]["error"]


async def test_listing_many_visitors_takes_a_fixed_number_of_queries(
    app, tenant_a, visitor_of, agent_a
):
    visitors = [await visitor_of(tenant_a) for _ in range(12)]
    for n, visitor in enumerate(visitors):
        await walk(visitor, f"/p{n}")
        if n % 3 == 0:
            await visitor.call("send_message", {"client_id": f"c-{n}", "text": "hi"})
    store = app[message_store_key]
    calls: dict[str, int] = {}
    for name in ("recent_page_views", "find_open_conversation", "get_visitor"):
        original = getattr(store, name)

        async def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] = calls.get(_name, 0) + 1
            return await _original(*args, **kwargs)

        setattr(store, name, counted)

    listed = (await agent_a.call("list_visitors", {}))["visitors"]

    assert calls == {}  # no per-visitor query
    assert len(listed) == 12
    by_id = {v["id"]: v for v in listed}
    for n, visitor in enumerate(visitors):
        summary = by_id[visitor.session["visitor_id"]]
        assert summary["pages"][0]["url"] == f"http://shop-a.test/p{n}"
        assert [p["url"] for p in summary["pages"]][1] == "http://shop-a.test/tents"
        assert (summary["conversation_id"] is not None) == (n % 3 == 0)
        assert summary["visit_started_at"] == summary["pages"][1]["entered_at"]


async def test_the_visitors_online_are_the_lists_rows_and_the_profile_has_the_rest(
    base_url, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a, page=page("/", "?utm_source=ads"))
    await walk(visitor, "/tents")
    token = await login_token(base_url, tenant_a.email)
    site = f"/api/v1/sites/{tenant_a.site.id}/visitors"

    status, body = await get(base_url, f"{site}/online", token)

    assert status == 200
    replies.OnlineVisitors.model_validate(body)  # as the OpenAPI document says
    (row,) = body["visitors"]
    assert set(row) == set(replies.OnlineVisitor.model_fields)
    assert [p["url"] for p in row["pages"]] == [
        "http://shop-a.test/tents",  # the current page
        "http://shop-a.test/?utm_source=ads",
    ]
    assert row["source"]["label"] == "ads" and row["online"] is True
    _, profile = await get(base_url, f"{site}/{row['id']}", token)
    assert profile["visitor"]["current_page"]["url"] == "http://shop-a.test/tents"
    assert profile["visitor"]["device"] == {"language": "en"}
