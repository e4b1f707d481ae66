"""Signing a webhook delivery as Stripe does: ``t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC is over ``f"{t}.{body}"`` with the endpoint's secret, so a receiver that checks
the signature and the age of ``t`` knows the body came from us and is not a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Porchlight-Signature"
DELIVERY_HEADER = "Porchlight-Delivery"
EVENT_HEADER = "Porchlight-Event"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
