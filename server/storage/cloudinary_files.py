"""Cloudinary storage through the official SDK (``cloudinary.uploader.upload``).

The account comes from ``CLOUDINARY_URL`` (``cloudinary://<key>:<secret>@<cloud>``, with
optional query parameters such as ``upload_prefix``), parsed here and passed to every
call as options, so nothing touches the SDK's process-wide configuration. The SDK is
synchronous (urllib3), so each upload runs in a worker thread.

Images go to one folder per site; the thumbnail is an eager transformation (longest side
480 px, WebP) that Cloudinary derives during the upload; the secure CDN URLs are stored.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import cloudinary.exceptions
import cloudinary.uploader

from server.storage.files import SavedFile, StorageError, StoredFile, new_name


class CloudinaryFileStore:
    storage = "cloudinary"
    makes_thumbnails = True

    def __init__(
        self,
        options: dict[str, Any],
        *,
        folder: str = "porchlight",
        thumb_side: int = 480,
        timeout: float = 60,
    ) -> None:
        self._options = options
        self._folder = folder.strip("/")
        self._thumb_side = thumb_side
        self._timeout = timeout

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> CloudinaryFileStore:
        return cls(parse_cloudinary_url(url), **kwargs)

    @property
    def cloud_name(self) -> str:
        return self._options["cloud_name"]

    async def save(self, site_id: int, data: bytes, ext: str, thumb: bytes | None) -> StoredFile:
        public_id = new_name()
        try:
            result = await asyncio.to_thread(
                cloudinary.uploader.upload,
                (f"{public_id}.{ext}", data),
                folder=f"{self._folder}/site-{int(site_id)}",
                public_id=public_id,
                resource_type="image",
                overwrite=False,
                unique_filename=False,
                use_filename=False,
                eager=[
                    {
                        "width": self._thumb_side,
                        "height": self._thumb_side,
                        "crop": "limit",
                        "format": "webp",
                    }
                ],
                eager_async=False,
                timeout=self._timeout,
                **self._options,
            )
        except (cloudinary.exceptions.Error, OSError, ValueError) as error:
            raise StorageError(f"Cloudinary refused the upload: {error}") from None
        url = result.get("secure_url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise StorageError("Cloudinary answered without a secure URL")
        eager = result.get("eager") or [{}]
        thumb_url = eager[0].get("secure_url") or url
        return StoredFile(url, thumb_url, str(result.get("public_id", public_id)), self.storage)

    async def delete(self, site_id: int, name: str) -> None:
        """``name`` is the public id (with its folder); derived thumbnails go with it."""
        try:
            await asyncio.to_thread(
                cloudinary.uploader.destroy,
                name,
                resource_type="image",
                invalidate=True,
                timeout=self._timeout,
                **self._options,
            )
        except (cloudinary.exceptions.Error, OSError, ValueError) as error:
            raise StorageError(f"Cloudinary could not delete {name}: {error}") from None

    async def saved_between(self, start: datetime, end: datetime) -> list[SavedFile]:
        """Not listed: uploads never sent stay in the Cloudinary account (see docs)."""
        return []


def parse_cloudinary_url(url: str) -> dict[str, Any]:
    """``cloudinary://key:secret@cloud?k=v`` → SDK options, read the way the SDK reads it."""
    parts = urlsplit(url.strip())
    if parts.scheme != "cloudinary" or not parts.hostname:
        raise ValueError("CLOUDINARY_URL must look like cloudinary://<key>:<secret>@<cloud>")
    if not parts.username or not parts.password:
        raise ValueError("CLOUDINARY_URL needs the API key and secret before the @")
    options: dict[str, Any] = {
        "cloud_name": parts.hostname,
        "api_key": parts.username,
        "api_secret": parts.password,
    }
    if parts.path not in ("", "/"):
        options.update(private_cdn=True, secure_distribution=parts.path[1:])
    options.update(dict(parse_qsl(parts.query)))
    return options
