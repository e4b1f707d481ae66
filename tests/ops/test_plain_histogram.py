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


def test_a_histogram_nobody_scrapes_stays_the_same_size_however_much_it_observes():
    import tracemalloc

    registry = CollectorRegistry()
    plain = PlainHistogram("x_seconds", "x", "operation")
    registry.register(plain)
    tracemalloc.start()
    try:
        for operation in ("a", "b"):
            plain.observe(operation, 0.01)
        before, _peak = tracemalloc.get_traced_memory()
        for n in range(50_000):
            plain.observe("ab"[n % 2], n / 10_000)
        after, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert after - before < 1024  # 50,000 kept observations would be over a megabyte
    assert _samples(registry)[("x_seconds_count", (("operation", "a"),))] == 25_001
