"""Work kept for later sending: the webhook outbox and the mail queue, on both stores."""
