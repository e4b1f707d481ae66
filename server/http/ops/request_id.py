"""``X-Request-ID``: kept from the client (when plain) or made here, returned on the answer,
and the current request id (``server/request_ids.py``) while the request is handled, so
every log line of the request carries it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from server.request_ids import HEADER, accepted_request_id, current_request_id

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REQUEST_ID = web.RequestKey("request_id", str)


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = accepted_request_id(request.headers.get(HEADER))
    request[REQUEST_ID] = request_id
    token = current_request_id.set(request_id)
    try:
        return await handler(request)
    finally:
        current_request_id.reset(token)


async def add_request_id_header(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: every answer, errors and streamed files included."""
    request_id = request.get(REQUEST_ID)
    if request_id:
        response.headers[HEADER] = request_id
