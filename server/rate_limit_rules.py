"""How often each visitor and sign-in action may happen, per installation.

Each rule is written in the ``limits`` notation, ``"10/5 seconds; 60/minute"`` (every part
must hold), and is set with ``PORCHLIGHT_RATE_LIMIT_<NAME>``, e.g.
``PORCHLIGHT_RATE_LIMIT_MESSAGE_VISITOR="5/10 seconds"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from limits import parse_many


@dataclass(frozen=True, slots=True)
class RateLimitRules:
    # Widget connections opened, per address and per visitor (its token).
    connect_address: str = "60/minute; 600/hour"
    connect_visitor: str = "30/minute"
    # Visitors seen for the first time (no token, no fingerprint match).
    new_visitor_address: str = "30/minute; 300/hour"
    new_visitor_site: str = "600/minute"
    # Visitor messages.
    message_visitor: str = "10/10 seconds; 60/minute"
    message_address: str = "300/minute"
    message_site: str = "3000/minute"
    # Conversations a visitor's first message opens.
    new_conversation_address: str = "10/minute; 60/hour"
    new_conversation_site: str = "300/minute"
    # Other visitor events.
    identify_visitor: str = "10/minute"
    page_view_visitor: str = "60/minute"
    typing_visitor: str = "12/second"
    typing_agent: str = "12/second"
    beacon_address: str = "120/minute"
    # Signing in (per real client address, and failed attempts per account), joining.
    sign_in_address: str = "20/minute; 100/hour"
    sign_in_account: str = "10/15 minutes"
    invite_address: str = "10/minute"
    signup_address: str = "10/minute"

    @classmethod
    def never_reached(cls) -> RateLimitRules:
        """Every rule counted but far out of reach: load tests from one address pay for the
        checks without being refused by them."""
        return cls(**{f.name: "1000000/second" for f in fields(cls)})

    @classmethod
    def from_env(cls, env: Mapping[str, str], error: type[Exception]) -> RateLimitRules:
        changes = {}
        for f in fields(cls):
            name = f"PORCHLIGHT_RATE_LIMIT_{f.name.upper()}"
            raw = env.get(name, "").strip()
            if not raw:
                continue
            try:
                parse_many(raw)
            except ValueError:
                raise error(
                    f"{name} must be like '10/minute' or '5/10 seconds; 60/hour', got {raw!r}"
                ) from None
            changes[f.name] = raw
        return replace(cls(), **changes)
