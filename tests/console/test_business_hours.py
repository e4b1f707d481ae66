"""Business hours in the console: saved through the form and the API, refused with the
field named, and the widget's session says whether the team is in and when that changes."""

from __future__ import annotations

from server.keys import console_key
from tests.console.conftest import PAGE_A, SHOP_A, browser_session, csrf_of

ALL_DAY = [["00:00", "24:00"]]


async def test_an_admin_saves_hours_with_the_form_and_mistakes_come_back_beside_the_field(
    team, base_url, api
):
    http = await browser_session(base_url, team.admin.email)
    async with http:
        page = f"{base_url}/dashboard/settings/{team.site.id}/hours"
        async with http.get(page) as r:
            html = await r.text()
            assert r.status == 200 and "Business hours" in html
            token = csrf_of(html)
        form = {
            "csrf_token": token,
            "_action": "set_hours",
            "_bools": "enabled,mon_open,tue_open,wed_open,thu_open,fri_open,sat_open,sun_open",
            "enabled": "on",
            "time_zone": "Europe/Berlin",
            "mon_open": "on",
            "mon_from": "09:00",
            "mon_to": "17:30",
            "fri_open": "on",
            "fri_from": "10:00",
            "fri_to": "16:00",
            "holidays": "2026-12-25\n2026-12-24",
            "reply_closed": "We're closed; we'll write back.",
        }
        async with http.post(page, data=form, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"].endswith("?done=set_hours")
        async with http.post(page, data={**form, "fri_to": "09:00"}) as r:
            html = await r.text()
            assert r.status == 400 and "Friday: the end must come after the start" in html
            assert 'id="fri-error"' in html

    status, saved = await api.request(
        "GET", f"/api/v1/sites/{team.site.id}/hours", team.owner.token
    )
    assert status == 200
    assert saved["hours"]["week"]["mon"] == [["09:00", "17:30"]]
    assert saved["hours"]["week"]["tue"] == []
    assert saved["hours"]["holidays"] == ["2026-12-24", "2026-12-25"]
    assert saved["hours"]["reply_closed"] == "We're closed; we'll write back."
    status, refused = await api.request(
        "PUT",
        f"/api/v1/sites/{team.site.id}/hours",
        team.owner.token,
        {"enabled": True, "time_zone": "Mars/Olympus", "week": {"mon": ALL_DAY}},
    )
    assert status == 400 and "not a time zone" in refused["error"]
    status, _ = await api.request(
        "PUT", f"/api/v1/sites/{team.site.id}/hours", team.agent.token, {"enabled": False}
    )
    assert status == 403


async def test_the_widget_session_says_closed_and_when_the_team_is_back(
    app, team, socket_client, base_url
):
    console = app[console_key].console
    await console.hours.save(
        team.site.id,
        {"enabled": True, "time_zone": "UTC", "week": {"sun": [["00:00", "00:01"]]}},
    )
    widget = await socket_client(
        "/visitor",
        base_url,
        {"site_key": team.site.site_key, "page": PAGE_A},
        headers={"Origin": SHOP_A},
    )
    session = await widget.next("session")
    hours = session["hours"]
    assert hours["open"] is False and hours["next_change"].endswith("T00:00:00Z")

    await console.hours.save(
        team.site.id,
        {
            "enabled": True,
            "time_zone": "UTC",
            "week": {d: ALL_DAY for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        },
    )
    again = await widget.call("business_hours", {})
    assert again["ok"] and again["hours"]["open"] is True and again["hours"]["next_change"] is None
