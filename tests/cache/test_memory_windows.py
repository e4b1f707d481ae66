"""The in-memory moving windows: exact waits, and keys of visitors long gone forgotten."""

from __future__ import annotations

from server.storage.memory_windows import SWEEP_EVERY_SECONDS, MemoryWindows
from server.storage.rate_limits import parse_rule


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_window_names_when_its_oldest_event_leaves():
    clock = Clock()
    windows = MemoryWindows(clock)
    rule = parse_rule("3/10 seconds")
    for _ in range(3):
        assert windows.hit(rule, "v") is None
        clock.now += 2
    assert windows.hit(rule, "v") == 4.0  # the first event (t=1000) leaves at 1010; now 1006
    clock.now += 4
    assert windows.hit(rule, "v") is None


def test_a_refused_event_uses_up_nothing_of_any_window():
    clock = Clock()
    windows = MemoryWindows(clock)
    rule = parse_rule("2/second; 3/minute")
    assert [windows.hit(rule, "v") for _ in range(3)] == [None, None, 1.0]
    clock.now += 1.5
    assert windows.hit(rule, "v") is None  # the minute's window held two, not three
    clock.now += 1.5
    assert windows.hit(rule, "v") > 50


def test_keys_whose_events_all_left_their_window_are_forgotten():
    clock = Clock()
    windows = MemoryWindows(clock)
    rule = parse_rule("5/second")
    for n in range(1000):
        windows.hit(rule, f"visitor:{n}")
    assert len(windows) == 1000
    clock.now += SWEEP_EVERY_SECONDS + 1
    windows.hit(rule, "visitor:new")
    assert len(windows) == 1
