"""Answering the callers of one batched write, each with its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


def settle(answered: Iterable[tuple[asyncio.Future[Any], Any]]) -> None:
    """Each future gets its outcome: an exception is raised to its caller, anything else is
    its result. A caller that stopped waiting (its future done) is passed by."""
    for future, outcome in answered:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
