"""The OpenAPI 3.1 document of the REST API, built from the registry's pydantic models,
served at ``/api/openapi.json``; ``/api/docs`` renders it with a small local page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server.http.api.registry import ApiRegistry, Operation
from server.http.api.replies import ErrorReply
from server.services.commands import MAX_ID

REF = "#/components/schemas/{model}"
WHOLE_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
ULID = {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "site_id": WHOLE_ID,
    "conversation_id": ULID,
    "visitor_id": ULID,
    "message_id": ULID,
    "delivery_id": ULID,
    "invite_id": WHOLE_ID,
    "agent_id": WHOLE_ID,
    "block_id": WHOLE_ID,
    "reply_id": WHOLE_ID,
    "endpoint_id": WHOLE_ID,
    "tag_id": WHOLE_ID,
    "slot": {"type": "string", "enum": ["primary", "secondary"]},
}
ERRORS = {
    "400": "the request is not valid: `fields` says what to change",
    "401": "no credentials, or an unknown or revoked key",
    "403": "the caller may not do this",
    "404": "not found among the caller's sites",
    "409": "a request with this Idempotency-Key is still running",
    "422": "this Idempotency-Key was used with a different request",
    "429": "too many requests: `retry_after` seconds",
    "503": "busy or a dependency is down: `retry_after` seconds",
}
UPLOAD_ERRORS = {
    "413": "the file is larger than the installation allows",
    "415": "a kind of file that is not accepted",
    "422": "the file was refused: `code` says why (damaged, hidden data, malware …)",
}
FILE_FORM = {
    "schema": {
        "type": "object",
        "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
        "required": ["file"],
    }
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string up to 255 characters. Sending the same key with the "
    "same request within 24 hours answers the first answer again without doing it twice.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}


def document(registry: ApiRegistry, figures: tuple[str, ...] = ()) -> dict[str, Any]:
    models = _models(registry.operations)
    _, top = models_json_schema(
        [(m, "validation" if _is_input(m, registry) else "serialization") for m in models],
        ref_template=REF,
    )
    paths: dict[str, dict[str, Any]] = {}
    for operation in registry.operations:
        item = paths.setdefault(operation.path, {})
        item[operation.method.lower()] = _operation(operation, figures)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Porchlight REST API",
            "version": "1",
            "description": "Conversations, visitors, contacts and reports of your sites. "
            "Authenticate with a site's API key (`Authorization: Bearer pl_key_…`) or an "
            "agent's session token. Errors are `{ok: false, error, code}`.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a site's API key (`pl_key_…`) or an agent's session token",
                }
            },
        },
        "security": [{"bearer": []}],
    }


def _operation(operation: Operation, figures: tuple[str, ...]) -> dict[str, Any]:
    parameters = [_path_parameter(name, figures) for name in _path_names(operation.path)]
    if operation.query is not None:
        parameters += _query_parameters(operation.query)
    if operation.idempotent:
        parameters.append(IDEMPOTENCY_KEY)
    ok_content: dict[str, Any] = {"application/json": {"schema": _ref(operation.reply)}}
    if operation.csv:
        ok_content["text/csv"] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {"200": {"description": "done", "content": ok_content}}
    errors = {**ERRORS, **UPLOAD_ERRORS} if operation.upload else ERRORS
    for status, description in sorted(errors.items()):
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": _ref(ErrorReply)}},
        }
    found: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if operation.description:
        found["description"] = operation.description
    if operation.public:
        found["security"] = []
    if operation.body is not None:
        found["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(operation.body)}},
        }
    if operation.upload:
        found["requestBody"] = {"required": True, "content": {"multipart/form-data": FILE_FORM}}
    return found


def _path_names(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _path_parameter(name: str, figures: tuple[str, ...]) -> dict[str, Any]:
    schema = {"type": "string", "enum": list(figures)} if name == "figure" else None
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema or PATH_PARAMETERS[name],
    }


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF, by_alias=True)
    required = set(schema.get("required", ()))
    parameters = []
    for name, field_schema in schema["properties"].items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": _not_null(field_schema),
        }
        if "description" in field_schema:
            parameter["description"] = field_schema["description"]
        parameters.append(parameter)
    return parameters


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a value: ``X | None`` is documented as ``X``."""
    options = [o for o in schema.get("anyOf", ()) if o.get("type") != "null"]
    found = dict(options[0]) if len(options) == 1 else dict(schema)
    for key in ("default", "enum", "const"):
        if key in schema and schema[key] is not None:
            found[key] = schema[key]
    return {k: v for k, v in found.items() if k not in ("title", "description", "anyOf")}


def _models(operations: list[Operation]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = [ErrorReply]
    for operation in operations:
        for model in (operation.body, operation.reply):
            if model is not None and model not in found:
                found.append(model)
    return found


def _is_input(model: type[BaseModel], registry: ApiRegistry) -> bool:
    return any(op.body is model for op in registry.operations)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


# --- serving ------------------------------------------------------------------------------

DOCS_PAGE = Path(__file__).resolve().parents[3] / "static" / "api-docs.html"


def setup(router: web.UrlDispatcher, registry: ApiRegistry, figures: tuple[str, ...]) -> None:
    cached: dict[str, Any] = {}

    async def openapi_json(request: web.Request) -> web.Response:
        if "document" not in cached:
            cached["document"] = document(registry, figures)
        return web.json_response(cached["document"])

    async def api_docs(request: web.Request) -> web.FileResponse:
        return web.FileResponse(DOCS_PAGE)

    router.add_get("/api/openapi.json", openapi_json)
    router.add_get("/api/docs", api_docs)
