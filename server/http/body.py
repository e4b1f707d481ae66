"""Reading request bodies that must be JSON objects."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.domain import InvalidInput
from server.services.payloads import decode_json


async def json_object(request: web.Request, max_bytes: int = 64 * 1024) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > max_bytes:
        raise web.HTTPRequestEntityTooLarge(max_size=max_bytes, actual_size=request.content_length)
    raw = await request.content.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise web.HTTPRequestEntityTooLarge(max_size=max_bytes, actual_size=len(raw))
    try:
        data = decode_json(raw)
    except InvalidInput as error:
        raise InvalidInput(f"the body must be JSON: {error.message}") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object")
    return data
