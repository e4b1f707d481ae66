"""Widget settings: every field checked by the server; saved settings reach widgets that
are already open, and the widget's words follow the language."""

from __future__ import annotations

import pytest

from tests.console.conftest import PAGE_A, SHOP_A
from tests.support.fixtures import app_settings as both_shapes

app_settings = both_shapes  # live updates travel through Redis in the second shape


def visitor_auth(team):
    return {"site_key": team.site.site_key, "page": PAGE_A, "device": {"language": "en"}}


async def test_saved_settings_reach_open_widgets_of_that_site_only(
    team, api, socket_client, base_url
):
    mine = await socket_client("/visitor", base_url, visitor_auth(team), {"Origin": SHOP_A})
    await mine.next("session")
    other = await socket_client(
        "/visitor",
        base_url,
        {"site_key": team.other_site.site_key, "page": {"url": "http://shop-b.test/"}},
        {"Origin": "http://shop-b.test"},
    )
    await other.next("session")

    status, body = await api.request(
        "PATCH",
        f"/api/v1/sites/{team.site.id}/widget",
        team.admin.token,
        {"color": "#E11D48", "position": "left", "launcher_text": "Ask us", "language": "de"},
    )
    assert status == 200, body
    pushed = await mine.next("settings_updated")
    assert pushed["widget"]["color"] == "#e11d48"
    assert pushed["widget"]["position"] == "left"
    assert pushed["widget"]["launcher_text"] == "Ask us"
    assert pushed["widget"]["strings"]["Online now"] == "Jetzt online"
    assert await other.nothing("settings_updated")

    # A widget loading later gets the same settings in its config and session.
    status, again = await api.request(
        "GET",
        f"/api/widget/config?site_key={team.site.site_key}",
        None,
        Origin=SHOP_A,
    )
    assert again["widget"]["color"] == "#e11d48"
    later = await socket_client("/visitor", base_url, visitor_auth(team), {"Origin": SHOP_A})
    assert (await later.next("session"))["site"]["widget"]["language"] == "de"


async def test_saving_the_same_settings_changes_nothing_and_tells_no_one(
    team, api, socket_client, base_url
):
    widget = await socket_client("/visitor", base_url, visitor_auth(team), {"Origin": SHOP_A})
    current = (await widget.next("session"))["site"]["widget"]
    status, _ = await api.request(
        "PATCH",
        f"/api/v1/sites/{team.site.id}/widget",
        team.owner.token,
        {"color": current["color"], "greeting": current["greeting"]},
    )
    assert status == 200
    assert await widget.nothing("settings_updated")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"color": "red"}, "invalid"),
        ({"color": "#12345"}, "invalid"),
        ({"color": "#123456; background:url(x)"}, "invalid"),
        ({"position": "middle"}, "invalid"),
        ({"team_name": ""}, "invalid"),
        ({"team_name": "Two\nlines"}, "invalid"),
        ({"greeting": "x" * 501}, "too_long"),
        ({"launcher_text": "x" * 31}, "too_long"),
        ({"launcher_icon": "rocket"}, "invalid"),
        ({"avatar_url": "javascript:alert(1)"}, "invalid"),
        ({"prechat_email": "sometimes"}, "invalid"),
        ({"language": "xx"}, "invalid"),
        ({"typing_preview": "yes"}, "invalid"),
        ({"no_such_setting": 1}, "invalid"),
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(team, api, change, code):
    path = f"/api/v1/sites/{team.site.id}/widget"
    status, body = await api.request("PATCH", path, team.owner.token, change)
    assert status == 400 and body["code"] == code and body["error"]
    _, site = await api.request("GET", f"/api/v1/sites/{team.site.id}", team.owner.token)
    assert site["site"]["widget"]["color"] == "#2563eb"


async def test_a_body_that_is_not_an_object_is_refused(team, api):
    status, body = await api.request(
        "PATCH", f"/api/v1/sites/{team.site.id}/widget", team.owner.token, ["color"]
    )
    assert status == 400 and body["code"] == "invalid"
