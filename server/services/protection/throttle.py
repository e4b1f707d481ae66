"""Rate limits on what visitors and signing-in people do: refused with a time to retry.

Checks run most specific first (one visitor, then their address, then the whole site) and
stop at the first refusal, so a flood is refused at its own level and uses up nothing of
the address's or site's allowance that everyone else shares.
"""

from __future__ import annotations

from server.domain import RateLimited
from server.rate_limit_rules import RateLimitRules
from server.storage.memory_windows import MemoryWindows
from server.storage.rate_limits import WindowCounters, parse_rule

WORDS = {
    "connect": "too many connections; wait a moment and reconnect",
    "new_visitor": "too many new visitors from here; try again shortly",
    "message": "you are sending messages too fast; this one was not sent",
    "new_conversation": "too many new conversations; try again shortly",
    "identify": "too many profile updates; try again shortly",
    "page_view": "too many page views; this one was not recorded",
    "typing": "too many previews; this one was dropped",
    "beacon": "too many beacons; wait a minute",
    "sign_in": "too many sign-in attempts; wait a few minutes and try again",
    "invite": "too many attempts; wait a minute",
    "signup": "too many attempts; wait a minute",
    "upload": "too many uploads; try again later",
}


class Throttle:
    def __init__(self, counters: WindowCounters, rules: RateLimitRules | None = None) -> None:
        self._counters = counters
        self.rules = rules or RateLimitRules()
        self._here = MemoryWindows()  # for check_here: this process only, never awaited

    async def check(self, action: str, **keys: object) -> None:
        """Count one ``action`` under each key (``visitor=``, ``address=``, ``site=``, in
        the order given), using the rule ``{action}_{kind}``. A key that is None is not
        counted (an address that is not known, say)."""
        checks = [
            (getattr(self.rules, f"{action}_{kind}"), f"{action}:{kind}:{key}")
            for kind, key in keys.items()
            if key is not None
        ]
        retry_after = await self._counters.hit_each(checks)  # one round trip with Redis
        if retry_after is not None:
            raise RateLimited(WORDS.get(action, "too many requests"), retry_after=retry_after)

    def check_here(self, action: str, **keys: object) -> None:
        """``check`` counted in this process's memory only, without awaiting anything: for
        best-effort events many times a second (typing previews), where a round trip to
        Redis per event would cost more than the event. With several nodes, each counts
        the connections it holds."""
        for kind, key in keys.items():
            if key is None:
                continue
            rule = parse_rule(getattr(self.rules, f"{action}_{kind}"))
            wait = self._here.hit(rule, f"{action}:{kind}:{key}")
            if wait is not None:
                raise RateLimited(
                    WORDS.get(action, "too many requests"), retry_after=max(0.05, round(wait, 3))
                )

    async def check_rule(self, action: str, rule: str, key: str) -> None:
        retry_after = await self._counters.hit(rule, f"{action}:{key}")
        if retry_after is not None:
            raise RateLimited(WORDS.get(action, "too many requests"), retry_after=retry_after)

    async def room(self, action: str, **keys: object) -> None:
        """RateLimited when a rule is already used up, counting nothing: for events that
        are counted afterwards with ``count``, once it is known they happened."""
        for kind, key in keys.items():
            if key is None:
                continue
            rule = getattr(self.rules, f"{action}_{kind}")
            retry_after = await self._counters.peek(rule, f"{action}:{kind}:{key}")
            if retry_after is not None:
                raise RateLimited(WORDS.get(action, "too many requests"), retry_after=retry_after)

    async def count(self, action: str, **keys: object) -> None:
        """Count one ``action`` that happened (a failed sign-in, say); never refuses."""
        for kind, key in keys.items():
            if key is not None:
                rule = getattr(self.rules, f"{action}_{kind}")
                await self._counters.hit(rule, f"{action}:{kind}:{key}")

    async def close(self) -> None:
        await self._counters.close()
