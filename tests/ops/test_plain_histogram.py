"""The event and store latency histograms read as Prometheus's own Histogram would."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from server.services.integrations.metrics import BUCKETS, PlainHistogram


def _samples(registry: CollectorRegistry) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for s in family.samples
        if not s.name.endswith("_created")
    }


def test_the_same_buckets_counts_and_sums_as_the_client_library():
    theirs, ours = CollectorRegistry(), CollectorRegistry()
    reference = Histogram("x_seconds", "x", ["operation"], buckets=BUCKETS, registry=theirs)
    plain = PlainHistogram("x_seconds", "x", "operation")
    ours.register(plain)
    # On a bound, between bounds, past the last one, and a second label.
    observed = [("a", 0.001), ("a", 0.0011), ("a", 0.3), ("a", 11.0), ("b", 0.0), ("b", 2.5)]
    for operation, seconds in observed:
        reference.labels(operation).observe(seconds)
        plain.observe(operation, seconds)

    assert _samples(ours) == _samples(theirs)
    assert _samples(ours)[("x_seconds_bucket", (("le", "0.001"), ("operation", "a")))] == 1
    assert _samples(ours)[("x_seconds_count", (("operation", "b"),))] == 2
