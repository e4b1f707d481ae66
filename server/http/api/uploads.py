"""POST /api/uploads (streamed multipart; the widget and the dashboard), POST /api/v1/uploads
(the same for the REST API: an API key or an agent) and GET /uploads/{site_id}/{name}:
images inline, documents (PDF, text) as downloads named by ``?filename=``.

The body is parsed by python-multipart's streaming parser as it arrives from the socket:
the ``file`` part goes to a spooled temporary file (memory up to 1 MiB, disk beyond) and
the read stops the moment the part passes the size limit, so no request, however large,
is ever held in memory. ``request.post()`` would read it all first.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import IO, Any
from urllib.parse import quote, unquote

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from server.domain import DomainError, Forbidden, InvalidInput, Unauthenticated
from server.http.agent_auth import agent_context
from server.http.api.models import UploadQuery
from server.http.errors import error_response, json_error
from server.keys import origin_policy_key, settings_key, uploads_key
from server.services import commands
from server.services.console.origins import normalize_origin
from server.services.files.documents import clean_filename
from server.services.files.images_layout import Refused
from server.services.files.uploads import Uploader, too_large
from server.services.protection.client_ip import client_ip
from server.services.team.auth import SESSION_COOKIE
from server.storage.files import CONTENT_TYPES, DOWNLOADS

READ_CHUNK = 64 * 1024
IN_MEMORY = 1024 * 1024  # a spooled upload moves to disk past this size
OTHER_FIELDS = 16 * 1024  # bytes of non-file form fields tolerated (and ignored)
MAX_PARTS = 8
RECEIVE_SECONDS = 300
STATUS = {
    "invalid": 400,
    "too_large": 413,
    "unsupported_type": 415,
    "rate_limited": 429,
    "scan_unavailable": 503,
    "storage_failed": 503,
}
SERVED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=31536000, immutable",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Referrer-Policy": "no-referrer",
}


async def upload(request: web.Request) -> web.Response:
    """The widget's and the dashboard's uploads: a visitor token, an agent token or the
    dashboard's session cookie."""
    try:
        response = await _accepted(request, await _uploader(request))
    except DomainError as error:
        response = error_response(error)
    return _cors(request, response)


async def upload_with_key(request: web.Request, query: UploadQuery) -> web.Response:
    """A file for a message of the site: an image (JPEG, PNG, GIF, WebP), a PDF or a plain
    text (.txt) file, in the multipart field `file`. It goes through the same checks as the
    widget's and the dashboard's uploads. Attach it by putting `{"ref": …}` of the answer
    in the `attachments` of a message within an hour."""
    ctx = await agent_context(request)
    uploader = request.app[uploads_key].identify_caller(ctx, query.site_id, _ip(request))
    return await _accepted(request, uploader)


async def _accepted(request: web.Request, uploader: Uploader) -> web.Response:
    service = request.app[uploads_key]
    try:
        await service.admit(uploader)
        with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY) as spool:
            filename = await receive_file(request, service.max_bytes, spool)
            spool.seek(0)
            result = await service.accept(uploader, spool, filename)
    except Refused as error:
        return json_error(STATUS.get(error.code, 422), error.message, error.code)
    return web.json_response({"ok": True, "attachment": result.to_wire()})


async def preflight(request: web.Request) -> web.Response:
    """The widget sends an Authorization header from the customer's page: browsers ask first."""
    origin = request.headers.get("Origin")
    if not origin or not request.app[origin_policy_key](origin, None):
        return web.Response(status=403)
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        },
    )


async def serve(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = request.app[uploads_key].local_file(request.match_info["site_id"], name)
    if path is None:
        raise web.HTTPNotFound()
    ext = name.rsplit(".", 1)[1]
    if ext in DOWNLOADS:  # documents are saved by the browser, never opened in our origin
        shown = clean_filename(request.query.get("filename"), ext)
        disposition = f"attachment; filename=\"{_ascii(shown)}\"; filename*=UTF-8''{quote(shown)}"
    else:
        disposition = f'inline; filename="{name}"'
    headers = {
        **SERVED_HEADERS,
        "Content-Type": CONTENT_TYPES[ext],
        "Content-Disposition": disposition,
    }
    return web.FileResponse(path, headers=headers)


def _ascii(name: str) -> str:
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)


# --- who is uploading -------------------------------------------------------------------


async def _uploader(request: web.Request):
    service = request.app[uploads_key]
    origin = request.headers.get("Origin")
    ip = _ip(request)
    site_id = _site_id(request.query.get("site_id"))
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return await service.identify(header[7:].strip(), origin=origin, ip=ip, site_id=site_id)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        # A cookie rides along with requests other pages make: only our own pages may use it.
        if origin is not None and normalize_origin(origin) not in _own_origins(request):
            raise Forbidden("uploads with the dashboard session must come from the dashboard")
        return await service.identify(
            cookie, origin=origin, ip=ip, site_id=site_id, agents_only=True
        )
    raise Unauthenticated("send the visitor token or sign in to upload")


def _ip(request: web.Request) -> str | None:
    trusted = request.app[settings_key].trusted_proxies
    return client_ip(request.remote, request.headers.get("X-Forwarded-For"), trusted)


def _own_origins(request: web.Request) -> set[str | None]:
    public_url = request.app[settings_key].public_url
    return {
        normalize_origin(f"{request.scheme}://{request.host}"),
        normalize_origin(public_url) if public_url else None,
    } - {None}


def _site_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    return commands.whole_id(raw, "site_id")


def _cors(request: web.Request, response: web.Response) -> web.Response:
    """Pages of any site may read the answer (the site itself was checked with the token)."""
    origin = request.headers.get("Origin")
    if origin and request.app[origin_policy_key](origin, None):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


# --- the body ---------------------------------------------------------------------------


async def receive_file(request: web.Request, max_bytes: int, sink: IO[bytes]) -> str | None:
    """Stream the multipart body; the ``file`` part's bytes go to ``sink``. Returns the
    part's file name, as the client gave it (None without one).

    Refused (too_large) the moment the file passes ``max_bytes``; InvalidInput for a body
    that is not multipart, has no file, or ends early.
    """
    content_type, params = parse_options_header(request.headers.get("Content-Type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput("send the image as multipart/form-data in a field named 'file'")
    if request.content_length is not None and request.content_length > max_bytes + OTHER_FIELDS:
        raise too_large(max_bytes)
    form = _FileForm(max_bytes, sink)
    try:
        parser = MultipartParser(boundary, form.callbacks(), max_header_count=8)
    except (ValueError, MultipartParseError):
        raise InvalidInput("the multipart boundary is malformed") from None
    try:
        async with asyncio.timeout(RECEIVE_SECONDS):
            async for chunk in request.content.iter_chunked(READ_CHUNK):
                parser.write(chunk)
                if form.ended:
                    break
    except TimeoutError:
        raise InvalidInput("the upload took too long; try again") from None
    except MultipartParseError:
        raise InvalidInput("the multipart body is malformed") from None
    except (ConnectionError, HttpProcessingError):
        # The client went away (a cancelled upload) or broke the transfer encoding.
        raise InvalidInput("the upload was cut short") from None
    if not form.ended:
        raise InvalidInput("the upload was cut short")
    if not form.found:
        raise InvalidInput("no file in the upload: send it in a field named 'file'")
    if form.size == 0:
        raise Refused("The file is empty.", "invalid")
    return form.filename


class _FileForm:
    """python-multipart callbacks that keep the first ``file`` part and count the rest."""

    def __init__(self, max_bytes: int, sink: IO[bytes]) -> None:
        self.max_bytes = max_bytes
        self.sink = sink
        self.parts = 0
        self.found = False
        self.filename: str | None = None
        self.size = 0
        self.other = 0
        self.ended = False
        self._in_file = False
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise InvalidInput("too many form fields")
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[bytes(self._field).strip().lower()] = bytes(self._value).strip()
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._in_file = params.get(b"name") == b"file" and not self.found
        if self._in_file and params.get(b"filename"):
            # Browsers send UTF-8 with %22 for quotes and %0A for breaks; some clients
            # percent-encode the whole name.
            raw = params[b"filename"].decode("utf-8", "replace")[:1024]
            self.filename = unquote(raw)
        self.found = self.found or self._in_file

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file:
            self.other += end - start
            if self.other > OTHER_FIELDS:
                raise InvalidInput("form fields other than 'file' are too long")
            return
        self.size += end - start
        if self.size > self.max_bytes:
            raise too_large(self.max_bytes)
        self.sink.write(data[start:end])

    def _part_end(self) -> None:
        self._in_file = False

    def _end(self) -> None:
        self.ended = True
