"""Configuration: parsed once from the environment, then passed down as a frozen object.

Nothing else in the project reads ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from server.rate_limit_rules import RateLimitRules

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str = "0.0.0.0"
    port: int = 8080
    mongodb_url: str | None = field(default=None, repr=False)
    mongodb_database: str = "porchlight"
    redis_url: str | None = field(default=None, repr=False)
    # Prefix of every Redis key and the Socket.IO channel: installations sharing one Redis
    # (or test runs) stay apart.
    redis_namespace: str = "porchlight"
    geoip_db: Path | None = None
    # Where private, loopback and reserved addresses are placed (an office network, say).
    geoip_private_location: dict[str, Any] = field(default_factory=dict)
    geoip_cache_ttl_seconds: int = 24 * 3600
    visit_gap_seconds: int = 30 * 60  # a new visit (session) starts after this much silence
    # Relational database connections per node, and how long a request waits for a free one
    # before it is answered "busy, try again".
    database_pool_size: int = 5
    database_pool_timeout_seconds: float = 5.0
    # Visitors' messages being handled at once on a node; the next is answered "busy".
    messages_in_progress: int = 128
    cloudinary_url: str | None = field(default=None, repr=False)
    secret_key: str = field(default="", repr=False)
    trusted_proxies: tuple[IPNetwork, ...] = ()
    public_url: str | None = None
    demo_port: int | None = None
    max_message_chars: int = 5000
    visitor_left_grace_seconds: float = 5.0
    snooze_check_seconds: float = 15.0  # how often each node wakes snoozed conversations
    # An agent whose last page closed stays online this long: the next page may be loading.
    agent_offline_grace_seconds: float = 5.0
    upload_max_bytes: int = 10 * 1024 * 1024
    # Uploads never sent in a message are deleted by the retention job after this long.
    unsent_upload_grace_seconds: int = 24 * 3600
    clamav: str | None = None  # clamd's socket path or host:port; unset → built-in check only
    agent_token_ttl_seconds: int = 7 * 24 * 3600
    # The argon2 cost of agents' password hashes (argon2-cffi's defaults, RFC 9106's
    # low-memory profile). Hashes made at another cost are redone at the next sign-in.
    password_time_cost: int = 3
    password_memory_kib: int = 64 * 1024
    password_parallelism: int = 4
    visitor_token_ttl_seconds: int = 365 * 24 * 3600
    secure_cookies: bool = False
    # The owner's console: invite e-mails, and local development without origins.
    smtp_url: str | None = field(default=None, repr=False)  # smtp[s]://user:pass@host:port
    mail_from: str | None = None
    dev_localhost_origins: bool = False  # empty origin list → localhost pages may embed
    invite_ttl_seconds: int = 7 * 24 * 3600
    # The e-mail queue (when SMTP is set): retries with backoff for a window, then gives up.
    mail_first_retry_seconds: float = 30.0
    mail_retry_window_seconds: float = 24 * 3600.0
    mail_poll_seconds: float = 1.0
    mail_batch_seconds: float = 120.0  # messages within this wait share one e-mail
    # Webhooks: receivers on private, loopback or link-local addresses only when allowed.
    webhooks_allow_private: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_first_retry_seconds: float = 10.0
    webhook_retry_window_seconds: float = 24 * 3600.0
    webhook_disable_after_failures: int = 20
    webhook_disable_after_seconds: float = 24 * 3600.0
    webhook_poll_seconds: float = 1.0
    webhook_keep_days: int = 30  # finished deliveries stay in the log this long
    rate_limits: RateLimitRules = field(default_factory=RateLimitRules)
    # Widget sockets open at once, per client address and per visitor (every node counted).
    max_sockets_per_address: int = 200
    max_sockets_per_visitor: int = 20
    # Shutdown (SIGTERM): how long running events and requests get to finish.
    shutdown_grace_seconds: float = 3.0
    # Operations: who may read /metrics, and the request log.
    metrics_token: str | None = field(default=None, repr=False)
    metrics_allow: tuple[IPNetwork, ...] = ()
    access_log: bool = True
    log_format: str = "text"  # or "json": one JSON object per line

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("PORCHLIGHT_DATA_DIR", "./data")).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        public_url = _optional(env, "PORCHLIGHT_PUBLIC_URL")
        return cls(
            data_dir=data_dir,
            database_url=env.get("PORCHLIGHT_DATABASE_URL")
            or f"sqlite+aiosqlite:///{data_dir / 'porchlight.db'}",
            host=env.get("PORCHLIGHT_HOST", "0.0.0.0"),
            port=_int(env, "PORCHLIGHT_PORT", 8080),
            database_pool_size=_positive(env, "PORCHLIGHT_DATABASE_POOL_SIZE", 5),
            database_pool_timeout_seconds=_positive(
                env, "PORCHLIGHT_DATABASE_POOL_TIMEOUT_SECONDS", 5
            ),
            messages_in_progress=_positive(env, "PORCHLIGHT_MESSAGES_IN_PROGRESS", 128),
            mongodb_url=_optional(env, "PORCHLIGHT_MONGODB_URL"),
            mongodb_database=env.get("PORCHLIGHT_MONGODB_DATABASE", "porchlight"),
            redis_url=_optional(env, "PORCHLIGHT_REDIS_URL"),
            redis_namespace=env.get("PORCHLIGHT_REDIS_NAMESPACE", "porchlight"),
            geoip_db=_path(env, "PORCHLIGHT_GEOIP_DB"),
            geoip_private_location=_location(env, "PORCHLIGHT_GEOIP_PRIVATE_LOCATION"),
            visit_gap_seconds=60 * _int(env, "PORCHLIGHT_VISIT_GAP_MINUTES", 30),
            cloudinary_url=_optional(env, "CLOUDINARY_URL"),
            secret_key=env.get("PORCHLIGHT_SECRET_KEY") or _stored_secret(data_dir),
            trusted_proxies=_networks(env, "PORCHLIGHT_TRUSTED_PROXIES"),
            public_url=public_url.rstrip("/") if public_url else None,
            demo_port=_int(env, "PORCHLIGHT_DEMO_PORT", None),
            max_message_chars=_int(env, "PORCHLIGHT_MAX_MESSAGE_CHARS", 5000),
            upload_max_bytes=_int(env, "PORCHLIGHT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
            unsent_upload_grace_seconds=3600
            * _positive(env, "PORCHLIGHT_UNSENT_UPLOAD_GRACE_HOURS", 24),
            clamav=_optional(env, "PORCHLIGHT_CLAMAV"),
            secure_cookies=bool(public_url and public_url.startswith("https://")),
            smtp_url=_optional(env, "PORCHLIGHT_SMTP_URL"),
            mail_from=_optional(env, "PORCHLIGHT_MAIL_FROM"),
            dev_localhost_origins=_bool(env, "PORCHLIGHT_DEV_LOCALHOST_ORIGINS"),
            webhooks_allow_private=_bool(env, "PORCHLIGHT_WEBHOOKS_ALLOW_PRIVATE"),
            webhook_timeout_seconds=_int(env, "PORCHLIGHT_WEBHOOKS_TIMEOUT_SECONDS", 10),
            webhook_keep_days=_positive(env, "PORCHLIGHT_WEBHOOKS_KEEP_DAYS", 30),
            metrics_token=_optional(env, "PORCHLIGHT_METRICS_TOKEN"),
            metrics_allow=_networks(env, "PORCHLIGHT_METRICS_ALLOW"),
            access_log=not _bool(env, "PORCHLIGHT_ACCESS_LOG_OFF"),
            log_format=_choice(env, "PORCHLIGHT_LOG_FORMAT", ("text", "json")),
            webhook_disable_after_failures=_int(
                env, "PORCHLIGHT_WEBHOOKS_DISABLE_AFTER_FAILURES", 20
            ),
            rate_limits=RateLimitRules.from_env(env, ConfigError),
            max_sockets_per_address=_positive(env, "PORCHLIGHT_MAX_SOCKETS_PER_ADDRESS", 200),
            max_sockets_per_visitor=_positive(env, "PORCHLIGHT_MAX_SOCKETS_PER_VISITOR", 20),
            shutdown_grace_seconds=_int(env, "PORCHLIGHT_SHUTDOWN_GRACE_SECONDS", 3),
        )

    @property
    def messages_db_path(self) -> Path:
        """The embedded message store's file, used when no MongoDB URL is set."""
        return self.data_dir / "messages.db"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value is None or value < 1:
        raise ConfigError(f"{name} must be 1 or more, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower() or choices[0]
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = _optional(env, name)
    if raw is None:
        return None
    path = Path(raw)
    if not path.is_file():
        raise ConfigError(f"{name} points at {raw!r}, which is not a file")
    return path


_LOCATION_TEXT = {"country_code": 2, "country": 80, "region": 80, "city": 80, "time_zone": 64}


def _location(env: Mapping[str, str], name: str) -> dict[str, Any]:
    """``country_code=DE,city=Berlin,lat=52.52,lon=13.40,time_zone=Europe/Berlin``."""
    location: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in env.get(name, "").split(","))):
        key, _, value = (x.strip() for x in part.partition("="))
        if key in ("lat", "lon"):
            try:
                location[key] = float(value)
            except ValueError:
                raise ConfigError(f"{name}: {key} must be a number, got {value!r}") from None
        elif key in _LOCATION_TEXT and value and len(value) <= _LOCATION_TEXT[key]:
            location[key] = value.upper() if key == "country_code" else value
        else:
            raise ConfigError(
                f"{name}: {part!r} is not one of country_code, country, region, city, "
                "lat, lon, time_zone as key=value"
            )
    return location


def _networks(env: Mapping[str, str], name: str) -> tuple[IPNetwork, ...]:
    raw = env.get(name, "")
    networks = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not an IP address or CIDR range") from None
    return tuple(networks)


def _stored_secret(data_dir: Path) -> str:
    """The secret generated into the data directory on first run, so restarts keep tokens."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret
