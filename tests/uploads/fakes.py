"""Local stand-ins for the two outside services uploads talk to.

``FakeCloudinary`` implements the part of Cloudinary's Upload API that the SDK's
``cloudinary.uploader.upload`` calls: ``POST /v1_1/<cloud>/image/upload``, multipart,
authenticated by a signature computed the way Cloudinary documents it (every parameter
except ``file``, ``cloud_name``, ``resource_type`` and ``api_key``, sorted, ``k=v`` joined
by ``&``, the API secret appended, SHA-1). It answers with the fields the SDK and
Porchlight read, eager transformations included.

``FakeClamd`` speaks clamd's INSTREAM protocol (``zINSTREAM\\0``, length-prefixed chunks,
a zero-length chunk, a NUL-terminated answer). No clamd with virus signatures can run
here, so it "finds" a marker string instead of real signatures.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from PIL import Image

SIGNATURE_EXCLUDED = {"file", "cloud_name", "resource_type", "api_key", "signature"}


@dataclass
class FakeCloudinary:
    cloud: str
    api_key: str
    api_secret: str
    uploads: list[dict[str, Any]] = field(default_factory=list)
    destroyed: list[str] = field(default_factory=list)  # public ids

    def app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/v1_1/{cloud}/{resource_type}/upload", self.upload)
        app.router.add_post("/v1_1/{cloud}/{resource_type}/destroy", self.destroy)
        return app

    async def destroy(self, request: web.Request) -> web.Response:
        """The Upload API's destroy: the same signature rule; answers ``{"result": "ok"}``."""
        form = await request.post()
        params = {k: str(v) for k, v in form.items() if k not in SIGNATURE_EXCLUDED}
        to_sign = "&".join(f"{k}={v}".replace("&", "%26") for k, v in sorted(params.items()))
        expected = hashlib.sha1((to_sign + self.api_secret).encode()).hexdigest()
        if form.get("api_key") != self.api_key or form.get("signature") != expected:
            return _error(401, "Invalid Signature")
        self.destroyed.append(params["public_id"])
        return web.json_response({"result": "ok"})

    async def upload(self, request: web.Request) -> web.Response:
        if request.match_info["cloud"] != self.cloud:
            return _error(404, "Invalid cloud_name " + request.match_info["cloud"])
        form = await request.post()
        params = {k: str(v) for k, v in form.items() if k not in SIGNATURE_EXCLUDED}
        if form.get("api_key") != self.api_key:
            return _error(401, "Unknown API key " + str(form.get("api_key")))
        to_sign = "&".join(f"{k}={v}".replace("&", "%26") for k, v in sorted(params.items()))
        expected = hashlib.sha1((to_sign + self.api_secret).encode()).hexdigest()
        if form.get("signature") != expected:
            return _error(
                401, f"Invalid Signature {form.get('signature')}. String to sign - '{to_sign}'."
            )
        if abs(time.time() - int(params.get("timestamp", "0"))) > 3600:
            return _error(400, "Stale request - reported time is more than 1 hour ago")
        upload = form["file"]
        data = upload.file.read()
        image = Image.open(io.BytesIO(data))
        public_id = "/".join(filter(None, [params.get("folder"), params.get("public_id")]))
        version = int(time.time())
        fmt = {"JPEG": "jpg"}.get(image.format, image.format.lower())
        base = f"https://res.cloudinary.com/{self.cloud}/image/upload"
        self.uploads.append({"params": params, "data": data, "filename": upload.filename})
        return web.json_response(
            {
                "asset_id": hashlib.md5(data).hexdigest(),
                "public_id": public_id,
                "version": version,
                "width": image.width,
                "height": image.height,
                "format": fmt,
                "resource_type": "image",
                "bytes": len(data),
                "type": "upload",
                "url": f"http://res.cloudinary.com/{self.cloud}/image/upload/v{version}/{public_id}.{fmt}",
                "secure_url": f"{base}/v{version}/{public_id}.{fmt}",
                "eager": [
                    _eager(base, transformation, version, public_id, image)
                    for transformation in filter(None, params.get("eager", "").split("|"))
                ],
            }
        )


def _eager(base: str, transformation: str, version: int, public_id: str, image) -> dict:
    fmt = transformation.rsplit("/", 1)[1] if "/" in transformation else "jpg"
    side = int(re.search(r"w_(\d+)", transformation).group(1))
    scale = min(1.0, side / max(image.width, image.height))
    path = transformation.rsplit("/", 1)[0]
    return {
        "transformation": transformation,
        "width": round(image.width * scale),
        "height": round(image.height * scale),
        "format": fmt,
        "secure_url": f"{base}/{path}/v{version}/{public_id}.{fmt}",
    }


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"message": message}}, status=status)


MARKER = b"PORCHLIGHT-FAKE-VIRUS"


@dataclass
class FakeClamd:
    """Flags any stream containing ``MARKER``; ``stream_max`` mimics StreamMaxLength."""

    stream_max: int = 25 * 1024 * 1024
    streams: list[bytes] = field(default_factory=list)
    chunk_sizes: list[int] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            command = await reader.readuntil(b"\0")
            self.commands.append(command)
            if command != b"zINSTREAM\0":
                writer.write(b"UNKNOWN COMMAND\0")
                return
            data = bytearray()
            while True:
                (size,) = struct.unpack("!I", await reader.readexactly(4))
                if size == 0:
                    break
                if len(data) + size > self.stream_max:
                    writer.write(b"INSTREAM size limit exceeded. ERROR\0")
                    return
                self.chunk_sizes.append(size)
                data += await reader.readexactly(size)
            self.streams.append(bytes(data))
            found = MARKER in data
            writer.write(b"stream: Porchlight.Test.Marker FOUND\0" if found else b"stream: OK\0")
        finally:
            await writer.drain()
            writer.close()
