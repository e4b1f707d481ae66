"""Business hours with known answers: a plain week, holidays, and both daylight-saving
changes in Europe/Berlin (2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.domain import InvalidInput
from server.services.console.business_hours import (
    BusinessHours,
    is_open,
    next_change,
    open_intervals,
)

NINE_TO_FIVE = [["09:00", "17:00"]]


def berlin(**week) -> BusinessHours:
    return BusinessHours.parse(
        {"enabled": True, "time_zone": "Europe/Berlin", "week": week, "holidays": []}
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekday_schedule_in_winter_is_an_hour_ahead_of_utc() -> None:
    hours = berlin(mon=NINE_TO_FIVE, tue=NINE_TO_FIVE)
    # Monday 2026-01-05: open 08:00-16:00 UTC.
    assert not is_open(hours, utc(2026, 1, 5, 7, 59))
    assert is_open(hours, utc(2026, 1, 5, 8, 0))
    assert is_open(hours, utc(2026, 1, 5, 15, 59))
    assert not is_open(hours, utc(2026, 1, 5, 16, 0))
    assert next_change(hours, utc(2026, 1, 5, 12)) == utc(2026, 1, 5, 16)
    # Friday evening: back on Monday at 09:00 Berlin time.
    assert next_change(hours, utc(2026, 1, 9, 18)) == utc(2026, 1, 12, 8)


def test_a_holiday_closes_the_whole_local_day() -> None:
    hours = BusinessHours.parse(
        {
            "enabled": True,
            "time_zone": "Europe/Berlin",
            "week": {day: NINE_TO_FIVE for day in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": "2026-12-24\n2026-12-25",
        }
    )
    assert hours.holidays == (date(2026, 12, 24), date(2026, 12, 25))
    assert not is_open(hours, utc(2026, 12, 24, 10))
    # Wednesday 23rd after hours: Thursday and Friday are holidays, back Monday the 28th.
    assert next_change(hours, utc(2026, 12, 23, 17)) == utc(2026, 12, 28, 8)


def test_the_spring_change_makes_a_night_range_an_hour_shorter() -> None:
    # Sunday 2026-03-29, 01:00-04:00 on the wall: 00:00Z to 02:00Z, two real hours.
    hours = berlin(sun=[["01:00", "04:00"]])
    [(begin, end)] = open_intervals(hours, utc(2026, 3, 28), utc(2026, 3, 30))
    assert (begin, end) == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))
    # The week after, summer time: 09:00 is 07:00Z.
    assert next_change(berlin(mon=NINE_TO_FIVE), utc(2026, 3, 29, 12)) == utc(2026, 3, 30, 7)


def test_the_autumn_change_makes_a_night_range_an_hour_longer() -> None:
    # Sunday 2026-10-25, 01:00-04:00 on the wall: 23:00Z (Saturday) to 03:00Z, four hours.
    hours = berlin(sun=[["01:00", "04:00"]])
    [(begin, end)] = open_intervals(hours, utc(2026, 10, 24), utc(2026, 10, 26))
    assert (begin, end) == (utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))
    assert is_open(hours, utc(2026, 10, 25, 2, 30))


def test_a_range_to_midnight_joins_the_next_days_range_from_midnight() -> None:
    hours = berlin(fri=[["18:00", "24:00"]], sat=[["00:00", "02:00"]])
    assert open_intervals(hours, utc(2026, 1, 9), utc(2026, 1, 11)) == [
        (utc(2026, 1, 9, 17), utc(2026, 1, 10, 1))
    ]
    assert next_change(hours, utc(2026, 1, 9, 20)) == utc(2026, 1, 10, 1)


def test_off_means_always_open_and_no_day_open_means_never_back() -> None:
    off = BusinessHours()
    assert is_open(off, utc(2026, 1, 1)) and next_change(off, utc(2026, 1, 1)) is None
    only_holiday = BusinessHours.parse(
        {
            "enabled": True,
            "time_zone": "UTC",
            "week": {"mon": NINE_TO_FIVE},
            "holidays": ["2026-01-05"],
        }
    )
    assert next_change(only_holiday, utc(2026, 1, 4)) == utc(2026, 1, 12, 9)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("open", None),
        ({"enabled": "yes"}, "enabled"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"week": {"mon": [["9", "17:00"]]}}, "mon"),
        ({"week": {"mon": [["17:00", "09:00"]]}}, "mon"),
        ({"week": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "mon"),
        ({"week": {"someday": []}}, "week"),
        ({"enabled": True, "week": {}}, "week"),
        ({"holidays": ["25/12/2026"]}, "holidays"),
        ({"reply_closed": "x" * 1001}, "reply_closed"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(data, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        BusinessHours.parse(data)
    assert refused.value.field == field


def test_settings_go_to_the_wire_and_back_unchanged() -> None:
    hours = BusinessHours.parse(
        {
            "enabled": True,
            "time_zone": "America/New_York",
            "week": {"mon": [["09:00", "12:00"], ["13:00", "24:00"]]},
            "holidays": ["2026-07-04"],
            "reply_open": "Hi! Someone will be with you shortly.",
            "reply_closed": "We're closed; we'll answer when we're back.",
        }
    )
    assert BusinessHours.parse(hours.to_wire()) == hours


def test_open_around_the_clock_never_changes() -> None:
    every_day = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = BusinessHours.parse({"enabled": True, "time_zone": "Europe/Berlin", "week": every_day})
    assert is_open(hours, utc(2026, 3, 29, 1, 30))
    assert next_change(hours, utc(2026, 3, 29, 1, 30)) is None
