"""docker-compose.yml and the load balancer's configuration, read as Docker and HAProxy
would read them (no Docker engine runs here: the shape is checked, not started)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_app_scales_behind_a_load_balancer() -> None:
    services = compose()["services"]
    assert {"app", "lb", "migrate", "postgres", "mongo", "redis"} <= set(services)
    app, lb = services["app"], services["lb"]
    assert "ports" not in app, "a fixed host port would stop `--scale app=3`"
    assert "container_name" not in app
    assert lb["ports"] == ["${PORCHLIGHT_HTTP_PORT:-8080}:8080"]
    [mount] = lb["volumes"]
    config = mount.split(":")[0]
    assert (ROOT / config).is_file()
    environment = app["environment"]
    assert environment["PORCHLIGHT_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert environment["PORCHLIGHT_MONGODB_URL"].startswith("mongodb://mongo:27017/")
    assert environment["PORCHLIGHT_REDIS_URL"] == "redis://redis:6379/0"


def test_migrations_run_once_before_any_replica() -> None:
    services = compose()["services"]
    migrate, app = services["migrate"], services["app"]
    assert migrate["command"] == ["porchlight", "migrate"]
    assert migrate["restart"] == "no"
    assert app["command"] == ["porchlight", "run"]
    assert app["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert migrate["environment"] == app["environment"]
    assert migrate["image"] == app["image"]


def test_haproxy_accepts_the_configuration() -> None:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    config = ROOT / "deploy" / "haproxy.cfg"
    result = subprocess.run(
        [haproxy, "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = config.read_text()
    assert "balance source" in text  # sticky: one client, one replica
    assert "server-template app" in text and "resolvers docker" in text
    assert "option httpchk GET /readyz" in text
