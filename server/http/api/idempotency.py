"""``Idempotency-Key`` on the REST API's POSTs: the answer of the first request is kept
and given again for a retry (``services/integrations/idempotency.py`` holds the rules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from server.domain import DomainError
from server.http.agent_auth import agent_context
from server.http.errors import error_response
from server.keys import idempotency_key
from server.services.integrations.idempotency import Answer, fingerprint
from server.services.team.auth import AgentContext

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


async def idempotently(
    request: web.Request, body: str, call: Callable[[], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """``body`` is the validated body in its canonical form: the same request written with
    other spacing or key order is the same request."""
    key = request.headers.get(HEADER)
    if key is None:
        return await call()
    ctx = await agent_context(request)

    async def work() -> Answer:
        try:
            response = await call()
        except DomainError as error:
            response = error_response(error)
        if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
            raise TypeError("an idempotent route answers with a JSON body")
        return Answer(response.status, response.body.decode())

    request_print = fingerprint(request.method, request.path, body.encode())
    answer = await request.app[idempotency_key].run(_scope(ctx), key, request_print, work)
    response = web.Response(text=answer.body, status=answer.status, content_type="application/json")
    if answer.replayed:
        response.headers[REPLAYED] = "true"
    return response


def _scope(ctx: AgentContext) -> str:
    """Keys are the caller's own: an API key's site, or a signed-in agent."""
    if ctx.agent.id == 0:
        return f"site:{ctx.site_ids[0]}"
    return f"agent:{ctx.agent.id}"
