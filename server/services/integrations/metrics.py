"""The Prometheus metrics of one node, in a registry of its own (built in create_app).

Names follow ``porchlight_<thing>_<unit>``: counters end in ``_total``, latencies are
``_seconds`` histograms with buckets from 1 ms to 10 s.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from server.services.events import Event

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.connected = Gauge(
            "porchlight_connected_clients",
            "Socket.IO connections to this node, visitors' widgets and agents' dashboards",
            ["role"],
            registry=r,
        )
        self.messages = Counter(
            "porchlight_messages",
            "Messages stored, by who wrote them (visitor, agent, system)",
            ["author"],
            registry=r,
        )
        self.events = Counter(
            "porchlight_domain_events", "Domain events published", ["event"], registry=r
        )
        # Observed a dozen times a page view: kept in plain lists, read when scraped.
        self.event_seconds = PlainHistogram(
            "porchlight_event_seconds",
            "Time to handle one Socket.IO event, from its arrival to its answer",
            "event",
        )
        self.store_seconds = PlainHistogram(
            "porchlight_store_seconds", "Time of one message store call", "operation"
        )
        r.register(self.event_seconds)
        r.register(self.store_seconds)
        self.http_seconds = Histogram(
            "porchlight_http_request_seconds",
            "Time to answer one HTTP request, by route",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=r,
        )
        self.webhook_queue = Gauge(
            "porchlight_webhook_queue_depth",
            "Webhook deliveries waiting to go out (all nodes; sampled by this node's worker)",
            registry=r,
        )
        self.webhook_deliveries = Counter(
            "porchlight_webhook_deliveries",
            "Webhook delivery attempts by outcome: delivered, failed (will retry), gave_up, "
            "dropped (endpoint deleted or off)",
            ["outcome"],
            registry=r,
        )
        self.webhook_seconds = Histogram(
            "porchlight_webhook_delivery_seconds",
            "Time of one webhook delivery attempt",
            buckets=BUCKETS,
            registry=r,
        )
        self.email_queue = Gauge(
            "porchlight_email_queue_depth",
            "E-mails waiting to be sent (set by the mail queue as it changes)",
            registry=r,
        )
        for outcome in ("delivered", "failed", "gave_up", "dropped"):
            self.webhook_deliveries.labels(outcome=outcome)
        for author in ("visitor", "agent", "system"):
            self.messages.labels(author=author)
        # Each label's child looked up once: ``labels()`` costs more than the observation.
        self._domain_child = _children(self.events)
        self._author_child = _children(self.messages)

    def count_connections(self, role: str, count: Callable[[], int]) -> None:
        self.connected.labels(role=role).set_function(count)

    def count_busy(self, count: Callable[[], int]) -> None:
        """Visitors' messages answered busy (told when to retry), as the Socket.IO server
        counts them: read when scraped, so a refusal costs no metric call."""
        self.registry.register(_ReadWhenScraped(count))

    def observe_store(self, operation: str, seconds: float) -> None:
        self.store_seconds.observe(operation, seconds)

    def observe_event(self, event: str, seconds: float) -> None:
        self.event_seconds.observe(event, seconds)

    def observe_webhook(self, outcome: str, seconds: float) -> None:
        self.webhook_deliveries.labels(outcome=outcome).inc()
        if outcome != "dropped":
            self.webhook_seconds.observe(seconds)

    async def on_event(self, event: Event) -> None:
        """The bus subscriber: counts domain events and the messages among them."""
        self._domain_child(event.name).inc()
        if event.name == "message.created":
            self._author_child(str(event.actor.get("kind") or "system")).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _children(metric: Counter | Histogram) -> Callable[[str], Any]:
    """``metric.labels(value)``, remembered per value (the values are a fixed, small set:
    event and operation names, author kinds)."""
    known: dict[str, Any] = {}

    def child(value: str) -> Any:
        found = known.get(value)
        if found is None:
            found = known[value] = metric.labels(value)
        return found

    return child


class _ReadWhenScraped:
    """The busy counter, its value kept by the server that refuses."""

    def __init__(self, count: Callable[[], int]) -> None:
        self._count = count

    def collect(self) -> Any:
        family = CounterMetricFamily(
            "porchlight_messages_busy",
            "Visitors' messages answered busy with a time to retry, past the node's bound of "
            "messages in progress (PORCHLIGHT_MESSAGES_IN_PROGRESS)",
        )
        family.add_metric([], self._count())
        yield family


class PlainHistogram:
    """A latency histogram by one label, as ``Histogram`` exposes it, counted in plain
    lists on the event loop's thread (no lock, no child per sample: about a tenth of an
    observation's cost there) and turned into a metric family when scraped."""

    def __init__(self, name: str, documentation: str, label: str) -> None:
        self._name = name
        self._documentation = documentation
        self._label = label
        self._bounds = BUCKETS
        # label value -> [count in each bucket, the last past every bound], [sum]
        self._counts: dict[str, tuple[list[int], list[float]]] = {}

    def observe(self, value: str, seconds: float) -> None:
        found = self._counts.get(value)
        if found is None:
            found = self._counts[value] = ([0] * (len(self._bounds) + 1), [0.0])
        found[0][bisect.bisect_left(self._bounds, seconds)] += 1
        found[1][0] += seconds

    def collect(self) -> Any:
        family = HistogramMetricFamily(self._name, self._documentation, labels=[self._label])
        bounds = [*(floatToGoString(b) for b in self._bounds), "+Inf"]
        for value, (counts, total) in list(self._counts.items()):
            family.add_metric(
                [value], list(zip(bounds, itertools.accumulate(counts), strict=True)), total[0]
            )
        yield family
