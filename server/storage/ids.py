"""ULID ids: 26 characters that sort by creation time, so ``_id`` order is time order."""

from __future__ import annotations

import os
import threading
import time

# Crockford's base32, as ULIDs spell it: 10 characters of milliseconds, 16 of randomness.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [ALPHABET[i >> 5] + ALPHABET[i & 31] for i in range(1024)]  # 10 bits → 2 characters


_VALUES = {c: i for i, c in enumerate(ALPHABET)}


def millis_of(ulid: str) -> int:
    """The milliseconds a ULID's first 10 characters spell (ValueError when they are not
    Crockford base32 in upper case, as every id here is written)."""
    try:
        ms = 0
        for char in ulid[:10]:
            ms = (ms << 5) | _VALUES[char]
    except KeyError:
        raise ValueError(f"not a ULID: {ulid[:26]!r}") from None
    if len(ulid) != 26:
        raise ValueError(f"not a ULID: {ulid[:26]!r}")
    return ms


def _time_part(ms: int) -> str:
    return "".join(ALPHABET[(ms >> shift) & 31] for shift in range(45, -1, -5))


def _random_part(r: int) -> str:
    p = _PAIRS
    return (
        p[r >> 70]
        + p[(r >> 60) & 1023]
        + p[(r >> 50) & 1023]
        + p[(r >> 40) & 1023]
        + p[(r >> 30) & 1023]
        + p[(r >> 20) & 1023]
        + p[(r >> 10) & 1023]
        + p[r & 1023]
    )


class UlidFactory:
    """Monotonic within one process: ids made in the same millisecond still sort in order.
    Encoded here rather than through ``ulid.ULID``: the time part is spelled once per
    millisecond and the random part from a table, a few microseconds an id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._last_random = 0
        self._time_text = _time_part(0)

    def __call__(self) -> str:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms <= self._last_ms:
                self._last_random += 1
            else:
                self._last_ms = now_ms
                self._time_text = _time_part(now_ms)
                # Leave headroom so increments within a millisecond never overflow 80 bits.
                self._last_random = int.from_bytes(os.urandom(10)) >> 1
            return self._time_text + _random_part(self._last_random)
