"""Uploads (images, PDFs, plain text): who may upload and how often, the checks, storage,
and attachment refs.

The pipeline for one upload, cheapest refusal first:

1. who: a visitor token (checked against the site's origins) or an agent of the site;
2. how often: per visitor or agent, and per IP address (moving windows, in Redis when configured);
3. the body, read by the HTTP layer with a hard size limit (never more than that in memory);
4. the EICAR anti-virus test file, anywhere in the raw bytes;
5. the type, from the magic number; PDFs and ``.txt`` text go through ``documents`` (no
   active content, strict UTF-8) and are stored as they are; SVG, programs, archives and
   other documents are refused by name;
6. the format's own structure: truncated files, data hidden after the image's end
   (polyglots), and archives, PDFs or scripts embedded inside it;
7. ClamAV, when ``PORCHLIGHT_CLAMAV`` is set (a scanner that does not answer refuses);
8. dimensions from the header, then a full decode and a clean re-encode (``images``);
9. storage (disk or Cloudinary), and a signed reference the uploader attaches to a message.

At most ``workers`` uploads are in steps 4-8 at once: decoding is CPU and memory bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from server.domain import (
    Attachment,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from server.services.console.sites import SiteService
from server.services.files import documents, images
from server.services.files.images import ImageLimits
from server.services.files.images_layout import Refused, hidden_data, layout, sniff
from server.services.files.malware import (
    ClamdScanner,
    ScannerUnavailable,
    eicar_in,
    embedded_content,
)
from server.services.protection.throttle import Throttle
from server.services.team.auth import AgentContext, AuthService
from server.services.team.tokens import TokenSigner
from server.settings import ConfigError, Settings
from server.storage.files import DiskFileStore, FileStore, StorageError
from server.storage.messages import MessageStore

log = logging.getLogger("porchlight.uploads")

REF_KIND = "attachment"
API_KEY_AGENT = "0"  # the agent id an API key acts as


@dataclass(frozen=True, slots=True)
class Uploader:
    site_id: int
    kind: str  # "visitor" | "agent": the author kind of the messages it may attach to
    id: str
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class UploadLimits:
    per_visitor: int = 20
    per_agent: int = 60
    per_ip: int = 60  # visitors only: a whole office may share one address with its agents
    window_seconds: int = 600


@dataclass(frozen=True, slots=True)
class Upload:
    attachment: Attachment
    ref: str

    def to_wire(self) -> dict[str, Any]:
        return {**self.attachment.to_wire(), "ref": self.ref}


def too_large(max_bytes: int) -> Refused:
    return Refused(f"The file is larger than {_megabytes(max_bytes)}.", "too_large")


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


class AttachmentRefs:
    """Signed references to uploaded files: only their uploader may attach them, and only
    to messages of the site they were uploaded to, for ``ttl_seconds`` after the upload."""

    def __init__(self, tokens: TokenSigner, ttl_seconds: int = 3600) -> None:
        self._tokens = tokens
        self._ttl = ttl_seconds

    @property
    def ttl_seconds(self) -> int:
        """How long after its upload a file may be attached to a message."""
        return self._ttl

    def issue(self, attachment: Attachment, uploader: Uploader) -> str:
        return self._tokens.issue(
            REF_KIND,
            uploader.id,
            self._ttl,
            site=uploader.site_id,
            by=uploader.kind,
            att=attachment.to_wire(),
        )

    def resolve(
        self, refs: Sequence[str], site_id: int, author_kind: str, author_id: str
    ) -> tuple[Attachment, ...]:
        attachments = []
        for number, ref in enumerate(refs, start=1):
            try:
                claims = self._tokens.verify(ref, REF_KIND)
            except Unauthenticated as error:
                raise InvalidInput(
                    f"attachment {number} is not a valid upload ({error.message}); upload it again"
                ) from None
            if (
                claims.get("site") != site_id
                or claims.get("by") != author_kind
                or claims.get("sub") != author_id
            ):
                raise Forbidden(f"attachment {number} was not uploaded by you to this site")
            attachments.append(_attachment(claims.get("att")))
        return tuple(attachments)


def _attachment(data: Any) -> Attachment:
    if not isinstance(data, dict):
        raise InvalidInput("attachment reference without a file")
    known = {k: v for k, v in data.items() if k in Attachment.__dataclass_fields__}
    try:
        return Attachment(**known)
    except TypeError:
        raise InvalidInput("attachment reference without a file") from None


class UploadService:
    def __init__(
        self,
        files: FileStore,
        disk: DiskFileStore,
        refs: AttachmentRefs,
        tokens: TokenSigner,
        auth: AuthService,
        sites: SiteService,
        store: MessageStore,
        throttle: Throttle,
        *,
        max_bytes: int,
        scanner: ClamdScanner | None = None,
        limits: UploadLimits | None = None,
        image_limits: ImageLimits | None = None,
        workers: int = 2,
    ) -> None:
        self.files = files
        self.disk = disk
        self.refs = refs
        self.max_bytes = max_bytes
        self.limits = limits or UploadLimits()
        self.image_limits = image_limits or ImageLimits()
        self.scanner = scanner
        self._tokens = tokens
        self._auth = auth
        self._sites = sites
        self._store = store
        self._throttle = throttle
        self._work = asyncio.Semaphore(workers)

    # --- who ----------------------------------------------------------------------------

    async def identify(
        self,
        token: str,
        *,
        origin: str | None,
        ip: str | None,
        site_id: int | None,
        agents_only: bool = False,
    ) -> Uploader:
        """A visitor token (its site must accept ``origin``) or an agent token."""
        if not agents_only:
            try:
                claims = self._tokens.verify(token, "visitor")
            except Unauthenticated:
                claims = None
            if claims is not None:
                return await self._visitor(claims, origin, ip)
        ctx = await self._auth.authenticate(token)
        return self.identify_caller(ctx, site_id, ip)

    async def _visitor(self, claims: dict[str, Any], origin: str | None, ip: str | None):
        try:
            site = await self._sites.get(int(claims.get("site")))
        except (NotFound, TypeError, ValueError):
            raise Unauthenticated("this visitor token names no site") from None
        if not self._sites.accepts_origin(site, origin):
            raise Forbidden(f"{origin} may not upload to this site")
        visitor = await self._store.get_visitor(site.id, str(claims["sub"]))
        if visitor is None:
            raise Unauthenticated("this visitor no longer exists; reconnect")
        return Uploader(site.id, "visitor", visitor.id, ip)

    @staticmethod
    def identify_caller(ctx: AgentContext, site_id: int | None, ip: str | None) -> Uploader:
        """An agent of the site, or the site's API key (which acts as agent 0 of its site)."""
        if site_id is None:
            if len(ctx.site_ids) != 1:
                raise InvalidInput("say which site the upload is for: ?site_id=")
            site_id = ctx.site_ids[0]
        ctx.require_member(site_id)
        return Uploader(site_id, "agent", str(ctx.agent.id), ip)

    # --- how often ----------------------------------------------------------------------

    async def admit(self, uploader: Uploader) -> None:
        """Count one upload attempt; RateLimited past the limits. Refused uploads count too."""
        limits = self.limits
        window = limits.window_seconds
        if uploader.kind == "visitor":
            checks = [(f"upload:visitor:{uploader.site_id}:{uploader.id}", limits.per_visitor)]
            if uploader.ip:
                checks.append((f"upload:ip:{uploader.ip}", limits.per_ip))
        elif uploader.id == API_KEY_AGENT:  # every site's key is agent 0: count per site
            checks = [(f"upload:key:{uploader.site_id}", limits.per_agent)]
        else:
            checks = [(f"upload:agent:{uploader.id}", limits.per_agent)]
        minutes = max(1, window // 60)
        for key, limit in checks:
            try:
                await self._throttle.check_rule("upload", f"{limit}/{window} seconds", key)
            except RateLimited as error:
                raise RateLimited(
                    f"Too many uploads: at most {limit} every {minutes} minutes. Try again later.",
                    retry_after=error.retry_after,
                ) from None

    # --- the checks, storage and the reference ------------------------------------------

    async def accept(
        self, uploader: Uploader, source: BinaryIO, filename: str | None = None
    ) -> Upload:
        """Check, clean and store the file in ``source``; Refused with the reason otherwise.
        ``filename`` is what the uploader called it: a document keeps it for people to see,
        and only ``.txt`` makes text acceptable (text has no magic number)."""
        async with self._work:
            data = await asyncio.to_thread(source.read, self.max_bytes + 1)
            if len(data) > self.max_bytes:
                raise too_large(self.max_bytes)
            _refuse_eicar(data)
            document = await asyncio.to_thread(documents.recognise, data, filename)
            if document is not None:
                if self.scanner is not None:
                    await self._clamd(data)
                return await self._store_document(uploader, data, document, filename)
            kind = await asyncio.to_thread(self._precheck, data)
            if self.scanner is not None:
                await self._clamd(data)
            image = await asyncio.to_thread(
                images.clean,
                data,
                kind,
                self.image_limits,
                thumbnail=not self.files.makes_thumbnails,
            )
            del data
        try:
            stored = await self.files.save(uploader.site_id, image.data, image.ext, image.thumb)
        except StorageError:
            log.exception("storing an upload of site %s failed", uploader.site_id)
            raise Refused(
                "The image could not be stored right now; try again.", "storage_failed"
            ) from None
        attachment = Attachment(
            url=stored.url,
            type=image.type,
            bytes=len(image.data),
            width=image.width,
            height=image.height,
            thumb_url=stored.thumb_url,
            storage=stored.storage,
            name=stored.name,
        )
        return Upload(attachment, self.refs.issue(attachment, uploader))

    async def _store_document(
        self, uploader: Uploader, data: bytes, document: documents.Document, filename: str | None
    ) -> Upload:
        if self.files is not self.disk:
            # Documents are kept on this server's disk only; with Cloudinary, images only.
            raise Refused("Only images can be sent here.", "unsupported_type")
        try:
            stored = await self.disk.save(uploader.site_id, data, document.ext, None)
        except StorageError:
            log.exception("storing a document of site %s failed", uploader.site_id)
            raise Refused(
                "The file could not be stored right now; try again.", "storage_failed"
            ) from None
        name = documents.clean_filename(filename, document.ext)
        attachment = Attachment(
            url=f"{stored.url}?filename={quote(name)}",
            type=document.type,
            bytes=len(data),
            storage=stored.storage,
            name=stored.name,
            filename=name,
        )
        return Upload(attachment, self.refs.issue(attachment, uploader))

    def _precheck(self, data: bytes) -> str:
        kind = sniff(data)
        shape = layout(data, kind)
        if shape.frames > self.image_limits.max_frames:
            raise Refused(
                f"The animation is too long: at most {self.image_limits.max_frames} frames.",
                "dimensions",
            )
        hidden = hidden_data(data, kind, shape.end)
        if hidden:
            raise Refused(
                f"This image has {hidden} hidden after it, so it was refused.", "polyglot"
            )
        inside = embedded_content(data)
        if inside:
            raise Refused(
                f"This image has {inside} hidden inside it, so it was refused.", "polyglot"
            )
        return kind

    async def _clamd(self, data: bytes) -> None:
        assert self.scanner is not None
        try:
            signature = await self.scanner.scan(data)
        except ScannerUnavailable:
            log.exception("virus scan failed")
            raise Refused(
                "The virus scanner is not available right now; try again in a minute.",
                "scan_unavailable",
            ) from None
        if signature:
            raise Refused(
                f"The virus scanner flagged this file ({signature}), so it was refused.",
                "malware",
            )

    # --- serving ------------------------------------------------------------------------

    def local_file(self, site_id: str, name: str) -> Path | None:
        return self.disk.path_of(site_id, name)


def _refuse_eicar(data: bytes) -> None:
    if eicar_in(data):
        raise Refused(
            "This file was refused because it contains the EICAR anti-virus test file.",
            "malware",
        )


def build_upload_service(
    settings: Settings,
    refs: AttachmentRefs,
    tokens: TokenSigner,
    auth: AuthService,
    sites: SiteService,
    store: MessageStore,
    throttle: Throttle,
) -> UploadService:
    """Cloudinary when ``CLOUDINARY_URL`` is set, the data directory otherwise; ClamAV when
    ``PORCHLIGHT_CLAMAV`` is set. Files already on disk stay served either way."""
    disk = DiskFileStore(settings.uploads_dir)
    files: FileStore = disk
    if settings.cloudinary_url:
        from server.storage.cloudinary_files import CloudinaryFileStore

        try:
            files = CloudinaryFileStore.from_url(settings.cloudinary_url)
        except ValueError as error:
            raise ConfigError(f"CLOUDINARY_URL: {error}") from None
    scanner = None
    if settings.clamav:
        try:
            scanner = ClamdScanner(settings.clamav)
        except ValueError as error:
            raise ConfigError(f"PORCHLIGHT_CLAMAV: {error}") from None
    return UploadService(
        files,
        disk,
        refs,
        tokens,
        auth,
        sites,
        store,
        throttle,
        max_bytes=settings.upload_max_bytes,
        scanner=scanner,
    )
