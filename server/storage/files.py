"""Where uploaded images live: local disk (the default) or Cloudinary (``CLOUDINARY_URL``).

Both take an image that has already been checked and re-encoded, and give back the URLs
people load it from. Names are random (192 bits), so a URL cannot be guessed from
another one; a file is only ever reached through its exact name.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

NAME = re.compile(r"^[A-Za-z0-9_-]{32}(?:-t)?\.(?:jpg|png|gif|webp|pdf|txt)$")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
}
DOWNLOADS = frozenset({"pdf", "txt"})  # served as attachments, never shown inline


class StorageError(Exception):
    """The storage failed; nothing was stored."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    url: str
    thumb_url: str
    name: str  # the storage's own key: a file name on disk, a public id on Cloudinary
    storage: str  # "disk" | "cloudinary"


class FileStore(Protocol):
    storage: str
    makes_thumbnails: bool  # True: the store derives the thumbnail itself

    async def save(self, site_id: int, data: bytes, ext: str, thumb: bytes | None) -> StoredFile:
        """Store the image (and its thumbnail); StorageError when that fails."""

    async def delete(self, site_id: int, name: str) -> None:
        """Remove a stored image and its thumbnail (``name`` is ``StoredFile.name``); a file
        that is already gone is not an error."""

    async def saved_between(self, start: datetime, end: datetime) -> list[SavedFile]:
        """The files stored from ``start`` to before ``end`` (thumbnails aside): retention
        looks there for uploads no message carries. A store that cannot list returns []."""


@dataclass(frozen=True, slots=True)
class SavedFile:
    site_id: int
    name: str
    saved_at: datetime


def new_name() -> str:
    return secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]


class DiskFileStore:
    """``<root>/<site_id>/<name>.<ext>`` plus ``<name>-t.webp`` for the thumbnail.

    URLs are paths on the Porchlight server (``/uploads/<site_id>/<name>``): clients
    resolve them against the server's origin, so moving the server to another address
    does not break old messages.
    """

    storage = "disk"
    makes_thumbnails = False

    def __init__(self, root: Path, url_prefix: str = "/uploads") -> None:
        self.root = root
        self._prefix = url_prefix.rstrip("/")

    async def save(self, site_id: int, data: bytes, ext: str, thumb: bytes | None) -> StoredFile:
        stem = new_name()
        name = f"{stem}.{ext}"
        directory = self.root / str(int(site_id))
        thumb_name = name if thumb is None else f"{stem}-t.webp"
        try:
            await asyncio.to_thread(_write, directory, name, data)
            if thumb is not None:
                await asyncio.to_thread(_write, directory, thumb_name, thumb)
        except OSError as error:
            raise StorageError(f"could not write {directory / name}: {error}") from None
        base = f"{self._prefix}/{int(site_id)}"
        return StoredFile(f"{base}/{name}", f"{base}/{thumb_name}", name, self.storage)

    async def delete(self, site_id: int, name: str) -> None:
        if not NAME.match(name):
            return
        stem = name.rsplit(".", 1)[0]
        directory = self.root / str(int(site_id))
        for path in (directory / name, directory / f"{stem}-t.webp"):
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def saved_between(self, start: datetime, end: datetime) -> list[SavedFile]:
        return await asyncio.to_thread(
            _saved_between, self.root, start.timestamp(), end.timestamp()
        )

    def path_of(self, site_id: str, name: str) -> Path | None:
        """The file for a URL's parts, or None: only exact, well-formed names resolve."""
        if not site_id.isdigit() or len(site_id) > 12 or not NAME.match(name):
            return None
        path = self.root / str(int(site_id)) / name
        return path if path.is_file() else None


def _saved_between(root: Path, start: float, end: float) -> list[SavedFile]:
    found: list[SavedFile] = []
    if not root.is_dir():
        return found
    for directory in root.iterdir():
        if not directory.name.isdigit() or not directory.is_dir():
            continue
        for path in directory.iterdir():
            if not NAME.match(path.name) or path.stem.endswith("-t"):
                continue
            try:
                saved = path.stat().st_mtime
            except FileNotFoundError:
                continue  # deleted meanwhile
            if start <= saved < end:
                at = datetime.fromtimestamp(saved, UTC)
                found.append(SavedFile(int(directory.name), path.name, at))
    return found


def _write(directory: Path, name: str, data: bytes) -> None:
    """Write to a temporary name, then rename: a reader never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{name}.partial"
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, directory / name)
