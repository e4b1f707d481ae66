"""Webhooks: a site's endpoints, and the outbox rows that domain events turn into.

The event subscriber does one thing: for each endpoint that wants the event, it writes a
delivery to the outbox (one store write for all of them) and wakes this node's worker.
The HTTP call happens later, in ``WebhookWorker``, so a slow or dead receiver costs a
visitor nothing. Endpoint lists are cached per site for a few seconds; a change made on
this node applies to the next event at once, one made on another node within that time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

from server.domain import InvalidInput, NotFound, iso
from server.services.console.field_checks import check_fields
from server.services.events import Event
from server.services.integrations.webhook_signing import new_secret
from server.services.integrations.webhook_targets import (
    RefusedAddress,
    Target,
    check_target,
    parse_url,
)
from server.services.single_flight import SingleFlight
from server.storage.messages import MessageStore
from server.storage.outbox.webhooks import Delivery
from server.storage.sql.webhooks import WebhookEndpoint, WebhookRepository

# What an endpoint may subscribe to, as the console lists them.
EVENT_TYPES: dict[str, str] = {
    "message.created": "A visitor or an agent sent a message (notes only with agent-only events)",
    "message.updated": "A message was edited or deleted (notes' edits only with agent-only events)",
    "conversation.created": "A visitor's first message opened a conversation",
    "conversation.assigned": "A conversation was assigned to an agent",
    "conversation.resolved": "A conversation was resolved",
    "conversation.reopened": "A resolved conversation was opened again",
    "conversation.snoozed": "A conversation was snoozed (agent-only)",
    "conversation.tagged": "A conversation's tags changed",
    "rating.created": "A visitor rated a resolved conversation: good, okay or bad, and a comment",
    "visitor.identified": "A visitor's name or e-mail became known, or changed",
}
TEST_EVENT = "webhook.test"
MAX_ENDPOINTS_PER_SITE = 20
ENDPOINT_CACHE_SECONDS = 5.0
MAX_DESCRIPTION_CHARS = 200


def event_body(event_id: str, name: str, site_id: int, created: datetime, **fields: Any) -> str:
    """The JSON every delivery of an event carries, the same bytes on every attempt."""
    return orjson.dumps(
        {"id": event_id, "type": name, "created_at": iso(created), "site_id": site_id, **fields}
    ).decode()


def parse_events(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",")]
    if not isinstance(raw, list | tuple) or not all(isinstance(e, str) for e in raw):
        raise InvalidInput("Events must be a list of event names", field="events")
    chosen = [e for e in dict.fromkeys(raw) if e]
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            f"{', '.join(unknown)} is not an event; choose from the list", field="events"
        )
    if not chosen:
        raise InvalidInput("Choose at least one event to send", field="events")
    return tuple(e for e in EVENT_TYPES if e in chosen)


def _bool(raw: object, name: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "on", "1"):
        return True
    if raw in ("false", "off", "0", "", None):
        return False
    raise InvalidInput(f"{name} must be true or false", field=name)


def _description(raw: object) -> str:
    text = "" if raw is None else raw
    if not isinstance(text, str) or len(text.strip()) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(
            f"The description is text of at most {MAX_DESCRIPTION_CHARS} characters",
            field="description",
        )
    return text.strip()


class WebhookService:
    def __init__(
        self,
        endpoints: WebhookRepository,
        store: MessageStore,
        *,
        allow_private: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._endpoints = endpoints
        self._store = store
        self._allow_private = allow_private
        self._clock = clock
        self._cache: dict[int, tuple[float, list[WebhookEndpoint]]] = {}
        # Bumped by ``forget``: a read that began before a change neither fills the cache
        # nor answers callers who came after it.
        self._generation: dict[int, int] = {}
        self._loads: SingleFlight[list[WebhookEndpoint]] = SingleFlight()
        self.work_waiting = asyncio.Event()  # the worker sleeps on it between polls

    # --- the event subscriber -----------------------------------------------------------

    async def on_event(self, event: Event) -> None:
        wanting = [
            e
            for e in await self._site_endpoints(event.site_id)
            if e.wants(event.name, event.agent_only)
        ]
        if not wanting:
            return
        now = self._clock()
        body = event_body(
            self._store.new_id(),
            event.name,
            event.site_id,
            datetime.fromtimestamp(now, UTC),
            agent_only=event.agent_only,
            conversation_id=event.conversation_id,
            visitor_id=event.visitor_id,
            actor=dict(event.actor),
            data=dict(event.data),
        )
        await self._enqueue(event.site_id, event.name, body, (e.id for e in wanting), now)

    async def _site_endpoints(self, site_id: int) -> list[WebhookEndpoint]:
        cached = self._cache.get(site_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        generation = self._generation.get(site_id, 0)
        return await self._loads.run(
            (site_id, generation), lambda: self._load_endpoints(site_id, generation)
        )

    async def _load_endpoints(self, site_id: int, generation: int) -> list[WebhookEndpoint]:
        endpoints = [e for e in await self._endpoints.list(site_id) if e.enabled]
        if self._generation.get(site_id, 0) == generation:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[site_id] = (time.monotonic() + ENDPOINT_CACHE_SECONDS, endpoints)
        return endpoints

    async def _enqueue(
        self,
        site_id: int,
        event: str,
        body: str,
        endpoint_ids: Iterable[int],
        now: float,
        redelivery_of: str | None = None,
    ) -> list[Delivery]:
        due = int(now * 1000)
        deliveries = [
            Delivery(
                id=self._store.new_id(),
                site_id=site_id,
                endpoint_id=endpoint_id,
                event=event,
                body=body,
                created_ms=due,
                locked_until=due,
                redelivery_of=redelivery_of,
            )
            for endpoint_id in endpoint_ids
        ]
        await self._store.add_deliveries(deliveries)
        self.work_waiting.set()
        return deliveries

    async def enabled_endpoint(self, site_id: int, endpoint_id: int) -> WebhookEndpoint | None:
        """An enabled endpoint from the per-site cache (the worker's lookup for each
        delivery); None when it is off, deleted or not this site's."""
        for endpoint in await self._site_endpoints(site_id):
            if endpoint.id == endpoint_id:
                return endpoint
        return None

    def forget(self, site_id: int) -> None:
        self._cache.pop(site_id, None)
        self._generation[site_id] = self._generation.get(site_id, 0) + 1

    # --- endpoints, for the console -----------------------------------------------------

    async def list(self, site_id: int) -> list[WebhookEndpoint]:
        return await self._endpoints.list(site_id)

    async def get(self, site_id: int, endpoint_id: int) -> WebhookEndpoint:
        return await self._endpoints.get(site_id, endpoint_id)

    async def create(self, site_id: int, data: dict[str, Any]) -> WebhookEndpoint:
        if len(await self._endpoints.list(site_id)) >= MAX_ENDPOINTS_PER_SITE:
            raise InvalidInput(f"a site has at most {MAX_ENDPOINTS_PER_SITE} webhook endpoints")
        checked = check_fields(
            {
                "url": lambda: parse_url(data.get("url")),
                "description": lambda: _description(data.get("description")),
                "events": lambda: parse_events(data.get("events")),
                "include_agent_only": lambda: _bool(
                    data.get("include_agent_only", False), "include_agent_only"
                ),
            }
        )
        endpoint = await self._endpoints.create(
            site_id,
            url=await self._reachable(checked.pop("url")),
            secret=new_secret(),
            **checked,
        )
        self.forget(site_id)
        return endpoint

    async def update(
        self, site_id: int, endpoint_id: int, data: dict[str, Any]
    ) -> tuple[WebhookEndpoint, dict[str, Any]]:
        """Change what ``data`` names; the endpoint and what changed (for the audit log)."""
        before = await self._endpoints.get(site_id, endpoint_id)
        checks = {
            "url": lambda: parse_url(data["url"]),
            "description": lambda: _description(data["description"]),
            "events": lambda: parse_events(data["events"]),
            "include_agent_only": lambda: _bool(data["include_agent_only"], "include_agent_only"),
            "enabled": lambda: _bool(data["enabled"], "enabled"),
        }
        changes = check_fields({name: check for name, check in checks.items() if name in data})
        if "url" in changes:
            changes["url"] = await self._reachable(changes["url"])
        if changes.get("enabled"):  # switched back on: a fresh start
            changes.update(disabled_reason="", consecutive_failures=0, failing_since=None)
        changed = {k: v for k, v in changes.items() if getattr(before, k, None) != v}
        if not changed:
            return before, {}
        endpoint = await self._endpoints.update(site_id, endpoint_id, **changed)
        self.forget(site_id)
        audit = {k: list(v) if isinstance(v, tuple) else v for k, v in changed.items()}
        audit.pop("failing_since", None)
        return endpoint, {"endpoint": endpoint_id, **audit}

    async def delete(self, site_id: int, endpoint_id: int) -> WebhookEndpoint:
        endpoint = await self._endpoints.delete(site_id, endpoint_id)
        self.forget(site_id)
        return endpoint

    async def rotate_secret(self, site_id: int, endpoint_id: int) -> WebhookEndpoint:
        await self._endpoints.get(site_id, endpoint_id)
        return await self._endpoints.update(site_id, endpoint_id, secret=new_secret())

    async def send_test(self, site_id: int, endpoint_id: int) -> Delivery:
        """A ``webhook.test`` delivery to this endpoint, whatever it subscribes to."""
        endpoint = await self._endpoints.get(site_id, endpoint_id)
        now = self._clock()
        body = event_body(
            self._store.new_id(),
            TEST_EVENT,
            site_id,
            datetime.fromtimestamp(now, UTC),
            agent_only=False,
            conversation_id=None,
            visitor_id=None,
            actor={},
            data={"endpoint_id": endpoint.id, "text": "A test event from Porchlight's console."},
        )
        [delivery] = await self._enqueue(site_id, TEST_EVENT, body, [endpoint.id], now)
        return delivery

    async def deliveries(
        self, site_id: int, endpoint_id: int, before: str | None, limit: int
    ) -> tuple[list[Delivery], bool]:
        await self._endpoints.get(site_id, endpoint_id)
        found = await self._store.list_deliveries(
            site_id, endpoint_id, before=before, limit=limit + 1
        )
        return found[:limit], len(found) > limit

    async def redeliver(self, site_id: int, endpoint_id: int, delivery_id: str) -> Delivery:
        """The same body again, as a new delivery (with a new id: receivers that dropped
        the first as a duplicate would drop the second too)."""
        original = await self._store.get_delivery(site_id, delivery_id)
        if original is None or original.endpoint_id != endpoint_id:
            raise NotFound("no such delivery")
        await self._endpoints.get(site_id, original.endpoint_id)
        [delivery] = await self._enqueue(
            site_id,
            original.event,
            original.body,
            [original.endpoint_id],
            self._clock(),
            redelivery_of=original.id,
        )
        return delivery

    async def _reachable(self, target: Target) -> str:
        try:
            await check_target(target, self._allow_private)
        except RefusedAddress as refused:
            raise InvalidInput(str(refused), field="url") from None
        return target.url
