"""Signed tokens (JWT, HS256) for agents and visitors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt

from server.domain import Unauthenticated


class TokenSigner:
    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 characters")
        self._secret = secret
        self._clock = clock

    def now(self) -> float:
        return self._clock()

    def issue(self, kind: str, subject: str, ttl_seconds: int, **claims: Any) -> str:
        now = int(self._clock())
        payload = {"typ": kind, "sub": subject, "iat": now, "exp": now + ttl_seconds, **claims}
        return jwt.encode(payload, self._secret, algorithm="HS256")

    def verify(self, token: object, kind: str) -> dict[str, Any]:
        """The token's claims, or Unauthenticated for a forged, expired or foreign token."""
        if not isinstance(token, str) or not token or len(token) > 4096:
            raise Unauthenticated("missing or malformed token")
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                options={"require": ["exp", "sub", "typ"], "verify_iat": False},
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.PyJWTError:
            raise Unauthenticated("invalid token") from None
        if claims.get("typ") != kind:
            raise Unauthenticated("invalid token")
        if claims["exp"] < self._clock():
            raise Unauthenticated("token expired")
        return claims
