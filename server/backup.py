"""``porchlight backup`` and ``porchlight restore``: one .tar.gz of what the data directory
holds, taken while the server runs.

The SQLite files (sites and agents; the embedded message store) are copied with SQLite's
online backup API, so the copy is one consistent moment even while the server writes; the
uploads directory and the generated secret key are copied as files. PostgreSQL and MongoDB
are not in the archive: their own tools back them up (docs/deployment.md).
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from server.settings import Settings

MANIFEST = "manifest.json"
SQL_FILE = "porchlight.db"
MESSAGES_FILE = "messages.db"
UPLOADS = "uploads"
SECRET_FILE = "secret_key"


class BackupError(ValueError):
    """The archive cannot be written or restored; the message says why."""


@dataclass
class Report:
    archive: Path
    included: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"  {item}" for item in self.included] + [f"  not here: {s}" for s in self.skipped]


def sqlite_path(settings: Settings) -> Path | None:
    """The SQL database's file, or None when it is not SQLite (PostgreSQL)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database)


def default_archive_name() -> str:
    return f"porchlight-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"


def backup(settings: Settings, archive: Path) -> Report:
    archive = archive.resolve()
    if archive.exists():
        raise BackupError(f"{archive} exists already; name a new file")
    report = Report(archive)
    partial = archive.with_name(archive.name + ".partial")
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".porchlight-backup-") as tmp:
        copies = Path(tmp)
        members: dict[str, Path] = {}
        sql = sqlite_path(settings)
        if sql is None:
            report.skipped.append("the SQL database is PostgreSQL: back it up with pg_dump")
        elif sql.exists():
            _copy_sqlite(sql, copies / SQL_FILE)
            members[SQL_FILE] = copies / SQL_FILE
        if settings.mongodb_url:
            report.skipped.append("messages are in MongoDB: back them up with mongodump")
        elif settings.messages_db_path.exists():
            _copy_sqlite(settings.messages_db_path, copies / MESSAGES_FILE)
            members[MESSAGES_FILE] = copies / MESSAGES_FILE
        secret = settings.data_dir / SECRET_FILE
        if secret.exists():
            members[SECRET_FILE] = secret
        uploads = settings.uploads_dir
        if uploads.is_dir():
            members[UPLOADS] = uploads
        manifest = {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "contents": sorted(members),
        }
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                tar.add(path, arcname=name)
        partial.chmod(0o600)  # the secret key and password hashes are inside
        partial.rename(archive)
        report.included = [_describe(name, path) for name, path in members.items()]
    return report


def restore(settings: Settings, archive: Path) -> Report:
    archive = archive.resolve()
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    sql = sqlite_path(settings)
    holding = [
        str(path)
        for path in (sql, settings.messages_db_path)
        if path is not None and path.exists() and path.stat().st_size > 0
    ]
    if settings.uploads_dir.is_dir() and any(settings.uploads_dir.iterdir()):
        holding.append(str(settings.uploads_dir))
    if holding:
        raise BackupError(
            "restore needs an empty data directory, and these hold data: " + ", ".join(holding)
        )
    report = Report(archive)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".restore-") as tmp:
        unpacked = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(unpacked, filter="data")
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{archive} is not a Porchlight backup: {error}") from None
        if not (unpacked / MANIFEST).is_file():
            raise BackupError(f"{archive} is not a Porchlight backup: no {MANIFEST}")
        targets: dict[str, Path | None] = {
            SQL_FILE: sql,
            MESSAGES_FILE: None if settings.mongodb_url else settings.messages_db_path,
            SECRET_FILE: settings.data_dir / SECRET_FILE,
            UPLOADS: settings.uploads_dir,
        }
        for name, target in targets.items():
            source = unpacked / name
            if not source.exists():
                continue
            if target is None:
                report.skipped.append(f"{name}: this installation keeps it elsewhere")
                continue
            if target.is_dir():
                target.rmdir()  # empty, checked above
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
            report.included.append(_describe(name, target))
    return report


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.execute("PRAGMA busy_timeout=5000")
        origin.backup(copy)
    # The context managers end transactions, not connections.
    origin.close()
    copy.close()


def _describe(name: str, path: Path) -> str:
    if path.is_dir():
        count = sum(1 for p in path.rglob("*") if p.is_file())
        return f"{name}/ ({count} file{'' if count == 1 else 's'})"
    return f"{name} ({path.stat().st_size} bytes)"
