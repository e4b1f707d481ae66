"""A throwaway database on the shared PostgreSQL (127.0.0.1:5432, trust auth)."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Iterator

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"


@contextlib.contextmanager
def postgres_database(prefix: str = "pl_test") -> Iterator[str]:
    """A database of its own, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _psql(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )
