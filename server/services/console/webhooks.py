"""The console's webhook operations (registered into ``console.OPERATIONS`` on import)."""

from __future__ import annotations

from typing import Any

from server.domain import InvalidInput
from server.services.console.service import Call, ConsoleService, Result, int_field, operation
from server.services.integrations.webhooks import EVENT_TYPES, WebhookService
from server.services.team.permissions import Action

DELIVERY_PAGE = 30


def _webhooks(console: ConsoleService) -> WebhookService:
    if console.webhooks is None:
        raise InvalidInput("webhooks are not available on this server")
    return console.webhooks


@operation("list_webhooks", Action.MANAGE_WEBHOOKS)
async def _list_webhooks(console: ConsoleService, call: Call) -> Result:
    endpoints = await _webhooks(console).list(call.site_id)
    return {
        "endpoints": [e.to_wire() for e in endpoints],
        "event_types": [{"name": k, "what": v} for k, v in EVENT_TYPES.items()],
    }, None


@operation("create_webhook", Action.MANAGE_WEBHOOKS, "webhook.created")
async def _create_webhook(console: ConsoleService, call: Call) -> Result:
    endpoint = await _webhooks(console).create(call.site_id, call.data)
    detail = {"endpoint": endpoint.id, "url": endpoint.url, "events": list(endpoint.events)}
    return {"endpoint": endpoint.to_wire(with_secret=True)}, detail


@operation("get_webhook", Action.MANAGE_WEBHOOKS)
async def _get_webhook(console: ConsoleService, call: Call) -> Result:
    endpoint = await _webhooks(console).get(call.site_id, int_field(call.data, "endpoint_id"))
    return {"endpoint": endpoint.to_wire(with_secret=True)}, None


@operation("update_webhook", Action.MANAGE_WEBHOOKS, "webhook.updated")
async def _update_webhook(console: ConsoleService, call: Call) -> Result:
    data: dict[str, Any] = {k: v for k, v in call.data.items() if k != "endpoint_id"}
    endpoint, changed = await _webhooks(console).update(
        call.site_id, int_field(call.data, "endpoint_id"), data
    )
    return {"endpoint": endpoint.to_wire()}, changed or None


@operation("delete_webhook", Action.MANAGE_WEBHOOKS, "webhook.deleted")
async def _delete_webhook(console: ConsoleService, call: Call) -> Result:
    endpoint = await _webhooks(console).delete(call.site_id, int_field(call.data, "endpoint_id"))
    return {"deleted": endpoint.id}, {"endpoint": endpoint.id, "url": endpoint.url}


@operation("rotate_webhook_secret", Action.MANAGE_WEBHOOKS, "webhook.secret_rotated")
async def _rotate_webhook_secret(console: ConsoleService, call: Call) -> Result:
    endpoint_id = int_field(call.data, "endpoint_id")
    endpoint = await _webhooks(console).rotate_secret(call.site_id, endpoint_id)
    return {"endpoint": endpoint.to_wire(with_secret=True)}, {"endpoint": endpoint.id}


@operation("test_webhook", Action.MANAGE_WEBHOOKS)
async def _test_webhook(console: ConsoleService, call: Call) -> Result:
    delivery = await _webhooks(console).send_test(call.site_id, int_field(call.data, "endpoint_id"))
    return {"delivery": delivery.to_wire()}, None


@operation("list_webhook_deliveries", Action.MANAGE_WEBHOOKS)
async def _list_webhook_deliveries(console: ConsoleService, call: Call) -> Result:
    before = call.data.get("before") or None
    if before is not None and not isinstance(before, str):
        raise InvalidInput("before must be a delivery id")
    deliveries, more = await _webhooks(console).deliveries(
        call.site_id, int_field(call.data, "endpoint_id"), before, DELIVERY_PAGE
    )
    return {"deliveries": [d.to_wire() for d in deliveries], "has_more": more}, None


@operation("redeliver_webhook", Action.MANAGE_WEBHOOKS, "webhook.redelivered")
async def _redeliver_webhook(console: ConsoleService, call: Call) -> Result:
    delivery_id = call.data.get("delivery_id")
    if not isinstance(delivery_id, str) or not delivery_id:
        raise InvalidInput("delivery_id is required")
    delivery = await _webhooks(console).redeliver(
        call.site_id, int_field(call.data, "endpoint_id"), delivery_id
    )
    detail = {"endpoint": delivery.endpoint_id, "delivery": delivery_id}
    return {"delivery": delivery.to_wire()}, detail
