"""Forms checked whole: every wrong field is reported at once, so each error can stand
beside its own field instead of one at a time at the top of the page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from server.domain import InvalidFields, InvalidInput


def check_fields(checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each field's check run in order; their values, or InvalidFields naming every field
    whose check raised InvalidInput."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    code: str | None = None  # the first error's, as when one error stopped the check
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidFields as error:
            errors.update(error.fields)
            code = code or error.code
        except InvalidInput as error:
            errors[error.field or name] = error.message
            code = code or error.code
    if errors:
        raise InvalidFields(errors, code)
    return values
