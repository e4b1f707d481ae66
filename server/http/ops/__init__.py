"""What operators read: health probes, Prometheus metrics, request ids and the access log."""
