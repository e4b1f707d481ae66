"""What other systems talk to: webhooks, idempotency keys for the REST API, Prometheus metrics."""
