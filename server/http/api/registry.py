"""The documented REST API: each operation is added here once, with its models.

``ApiRegistry.add`` puts the route on the router and remembers the operation; the route
validates its query string and body with the operation's pydantic models before the
handler runs, and ``openapi.document`` describes the same models. So what the document
says is what the server checks. A POST may carry an ``Idempotency-Key`` (see
``http/api/idempotency.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from server.domain import InvalidFields, InvalidInput
from server.http import csrf
from server.http.agent_auth import agent_context
from server.http.api.idempotency import idempotently
from server.http.api.models import FORMATS
from server.http.body import json_object

Handler = Callable[..., Awaitable[web.StreamResponse]]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    reply: type[BaseModel]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    csv: bool = False  # may answer text/csv as well (``?format=csv``)
    upload: bool = False  # the body is multipart/form-data with a `file`, read by the handler
    public: bool = False  # no credentials needed (signing in and out)

    @property
    def idempotent(self) -> bool:
        """Takes an Idempotency-Key: a POST with a JSON body (or none) by a known caller."""
        return self.method == "POST" and not self.upload and not self.public

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def description(self) -> str:
        return (self.handler.__doc__ or "").strip()


class ApiRegistry:
    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def add(self, router: web.UrlDispatcher, method: str, path: str, handler: Handler, **kw):
        operation = Operation(method, path, handler, **kw)
        self.operations.append(operation)
        router.add_route(method, path, self._route(operation))

    def _route(self, operation: Operation) -> Callable[[web.Request], Awaitable[Any]]:
        async def route(request: web.Request) -> web.StreamResponse:
            if not operation.public:
                await agent_context(request)  # who is calling (401) before what they ask (400)
            kwargs: dict[str, Any] = {}
            if operation.query is not None:
                kwargs["query"] = validated(operation.query, dict(request.query))
            if operation.method != "GET" and not operation.public:
                csrf.check_api(request)  # a cookie alone never changes anything
            if operation.body is not None:
                raw = await json_object(request) if request.can_read_body else {}
                kwargs["body"] = validated(operation.body, raw)
            if not operation.idempotent:
                return await operation.handler(request, **kwargs)
            body = kwargs["body"].model_dump_json() if "body" in kwargs else ""
            return await idempotently(request, body, lambda: operation.handler(request, **kwargs))

        route.__name__ = operation.operation_id
        return route


def validated(model: type[M], data: dict[str, Any]) -> M:
    """The model, or InvalidInput naming each wrong field with what is wrong with it."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields: dict[str, str] = {}
        for problem in error.errors(include_url=False):
            name = ".".join(str(part) for part in problem["loc"]) or "body"
            fields.setdefault(name, _sentence(name, problem))
        if not fields:
            raise InvalidInput("the request is not valid") from None
        raise InvalidFields(fields) from None


def _sentence(name: str, problem: Any) -> str:
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind == "extra_forbidden":
        return f"{name} is not a field of this request"
    if kind == "missing":
        return f"{name} is required"
    if kind == "literal_error":
        return f"{name} must be one of {context.get('expected', 'the documented values')}"
    if kind == "string_pattern_mismatch":
        return f"{name} must be {FORMATS.get(context.get('pattern'), 'in the documented form')}"
    message = str(problem["msg"])
    return f"{name}: {message[:1].lower()}{message[1:]}"
