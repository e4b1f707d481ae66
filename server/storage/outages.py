"""A backing service that does not answer becomes ``Unavailable``: the caller hears
"nothing was done; try again shortly" instead of a server fault, and storage keeps which
database is underneath to itself."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from server.domain import Unavailable

log = logging.getLogger("porchlight.outages")

RETRY_AFTER_SECONDS = 2.0
T = TypeVar("T", bound=type)


def unavailable_on(*errors: type[BaseException], service: str) -> Callable[[T], T]:
    """Class decorator: every public coroutine method (inherited ones too) raises
    ``Unavailable`` when it fails with one of ``errors``."""

    def decorate(cls: T) -> T:
        for name, method in inspect.getmembers(cls, inspect.iscoroutinefunction):
            if not name.startswith("_"):
                setattr(cls, name, _translated(method, errors, service))
        return cls

    return decorate


def _translated(
    method: Callable[..., Any], errors: tuple[type[BaseException], ...], service: str
) -> Callable[..., Any]:
    @functools.wraps(method)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except errors as error:
            log.warning("%s unavailable in %s: %s", service, method.__qualname__, error)
            raise Unavailable(
                f"the {service} is not answering; try again shortly",
                retry_after=RETRY_AFTER_SECONDS,
            ) from error

    return wrapper
