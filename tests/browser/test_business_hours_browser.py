"""Outside business hours the widget says when the team is back, in the visitor's time,
asks for an e-mail address, and the owner's automatic reply answers the first message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from server.keys import console_key
from tests.browser.conftest import new_page, sign_in
from tests.browser.test_inbox_workflow import shot

pytestmark = pytest.mark.browser
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.mark.parametrize("viewport", [(390, 844), (1440, 900)])
async def test_outside_hours_the_widget_says_when_the_team_is_back(stage, browser, viewport):
    app = stage.app
    back = datetime.now(UTC).date() + timedelta(days=3)  # three days on: named by weekday
    await app[console_key].console.hours.save(
        stage.tenant.site.id,
        {
            "enabled": True,
            "time_zone": "UTC",
            "week": {DAYS[back.weekday()]: [["09:00", "17:00"]]},
            "reply_closed": "We're closed now. We'll answer when we're back.",
        },
    )
    width, height = viewport
    visitor = await new_page(
        browser, viewport={"width": width, "height": height}, timezone_id="UTC", locale="en-GB"
    )
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    widget = visitor.locator("porchlight-widget")

    weekday = back.strftime("%A")
    await expect(widget.locator(".who .status:not([hidden])")).to_have_text(
        f"Back {weekday} at 9:00"
    )
    await expect(widget.get_by_role("textbox", name="Your e-mail")).to_be_visible()

    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Do you sell tent pegs?")
    await composer.press("Enter")
    await expect(widget.locator(".bubble", has_text="We're closed now")).to_be_visible()
    await shot(visitor, f"widget-closed-{width}")


@pytest.mark.parametrize("viewport", [(390, 844), (1440, 900)])
async def test_the_owner_sets_business_hours_in_the_console(stage, browser, viewport):
    width, height = viewport
    owner = await new_page(browser, viewport={"width": width, "height": height})
    await sign_in(owner, stage)
    await owner.goto(f"{stage.app_url}/dashboard/settings/{stage.tenant.site.id}/hours")

    await owner.get_by_role("switch", name="Use business hours").check()
    await owner.get_by_label("Time zone").fill("Europe/Lisbon")
    await owner.get_by_role("checkbox", name="Monday").check()
    await owner.get_by_label("Monday from").fill("09:00")
    await owner.get_by_label("Monday to").fill("17:00")
    await owner.get_by_role("checkbox", name="Tuesday").check()
    await owner.get_by_label("Tuesday from").fill("18:00")
    await owner.get_by_label("Tuesday to").fill("10:00")
    await owner.get_by_role("button", name="Save").click()

    await expect(owner.locator("#tue-error")).to_have_text(
        "Tuesday: the end must come after the start"
    )
    await expect(owner.get_by_label("Time zone")).to_have_value("Europe/Lisbon")
    await owner.get_by_label("Tuesday to").fill("20:00")
    await owner.get_by_role("button", name="Save").click()
    await expect(owner.get_by_text("Saved. Widgets show the new hours")).to_be_visible()
    await expect(owner.get_by_label("Tuesday to")).to_have_value("20:00")
    await shot(owner, f"console-hours-{width}")
