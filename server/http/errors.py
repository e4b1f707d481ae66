"""Domain errors as HTTP answers: one shape, ``{ok: false, error, code}``."""

from __future__ import annotations

import math

from aiohttp import web

from server.domain import (
    Busy,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unprocessable,
    field_errors,
)

STATUS = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unprocessable: 422,
    RateLimited: 429,
    Busy: 503,
}


def error_response(error: DomainError) -> web.Response:
    status = next((s for kind, s in STATUS.items() if isinstance(error, kind)), 400)
    fields = field_errors(error)
    if fields:  # each wrong field with its message, for a form to show beside the field
        body = {"ok": False, "error": error.message, "code": error.code, "fields": fields}
        return web.json_response(body, status=status)
    if not isinstance(error, Busy | RateLimited):
        return json_error(status, error.message, error.code)
    body = {"ok": False, "error": error.message, "code": error.code}
    response = web.json_response({**body, "retry_after": error.retry_after}, status=status)
    response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    return response


def json_error(status: int, message: str, code: str) -> web.Response:
    return web.json_response({"ok": False, "error": message, "code": code}, status=status)
