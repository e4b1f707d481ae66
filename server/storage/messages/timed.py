"""A message store that reports how long each call took, for the store latency metric.

Wraps any ``MessageStore``: every coroutine method is timed and reported to ``observe``
with the method's name; everything else passes straight through.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any


class TimedStore:
    def __init__(self, store: Any, observe: Callable[[str, float], None]) -> None:
        self._timed_store = store
        self._timed_observe = observe

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._timed_store, name)
        if name.startswith("_") or not inspect.iscoroutinefunction(value):
            return value
        observe = self._timed_observe

        @functools.wraps(value)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await value(*args, **kwargs)
            finally:
                observe(name, time.perf_counter() - started)

        setattr(self, name, timed)  # found directly from now on
        return timed
