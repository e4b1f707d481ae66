"""ULID ids: 26 characters that sort by creation time, so ``_id`` order is time order."""

from __future__ import annotations

import os
import threading
import time

from ulid import ULID


class UlidFactory:
    """Monotonic within one process: ids made in the same millisecond still sort in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._last_random = 0

    def __call__(self) -> str:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms <= self._last_ms:
                now_ms = self._last_ms
                self._last_random += 1
            else:
                self._last_ms = now_ms
                # Leave headroom so increments within a millisecond never overflow 80 bits.
                self._last_random = int.from_bytes(os.urandom(10)) >> 1
            raw = now_ms.to_bytes(6, "big") + self._last_random.to_bytes(10, "big")
        return str(ULID.from_bytes(raw))
