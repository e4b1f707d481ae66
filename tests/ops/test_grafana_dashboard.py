"""docs/grafana-dashboard.json charts only metrics the server really exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from server.services.integrations.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"


def test_every_query_names_an_exposed_metric() -> None:
    metrics = Metrics()
    metrics.observe_store("append_message", 0.002)
    metrics.observe_event("visitor.send_message", 0.003)
    metrics.http_seconds.labels(method="GET", route="/healthz", status="200").observe(0.001)
    metrics.observe_webhook("delivered", 0.05)
    metrics.events.labels(event="message.created").inc()
    metrics.count_connections("visitor", lambda: 2)
    exposed = {
        sample.name
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
    }
    dashboard = json.loads(DASHBOARD.read_text())
    queries = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    named = {name for query in queries for name in re.findall(r"porchlight_[a-z_]+", query)}
    assert len(queries) >= 10
    assert named - exposed == set(), "the dashboard charts metrics the server does not expose"
