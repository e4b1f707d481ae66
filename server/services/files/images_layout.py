"""What a file's bytes say it is, and where the image inside it ends.

Pure functions over bytes, no decoding: the type comes from magic numbers (never from the
file name or the Content-Type a client claims), and a walk over each format's own
structure finds the image's last byte, so data hidden after it (an appended ZIP, a
script) is seen before any decoder runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain import DomainError


class Refused(DomainError):
    """An upload that is not accepted; ``code`` says why, the message says it to people."""


ACCEPTED = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp"}
NOT_AN_IMAGE = (
    "This file is not an image we accept. Send a JPEG, PNG, GIF or WebP image, "
    "a PDF or a plain text (.txt) file."
)
DAMAGED = "The image is damaged or incomplete."

# What refused files usually are, so the message can say it (first bytes → description).
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe")
_DOCUMENTS = (b"PK\x03\x04", b"%PDF-", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")


def sniff(data: bytes) -> str:
    """``jpeg``, ``png``, ``gif`` or ``webp`` from the leading bytes; Refused otherwise."""
    if not data:
        raise Refused("The file is empty.", "invalid")
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise Refused(_describe_refused(data), "unsupported_type")


def _describe_refused(data: bytes) -> str:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in head:
        return "SVG images are not accepted: they can carry scripts. Send a PNG or JPEG instead."
    if data.startswith(_PROGRAMS) or data.startswith(b"#!"):
        return "This file is a program, not an image."
    if data.startswith(_DOCUMENTS):
        return "This file is an archive or a document we do not accept (PDF and .txt are fine)."
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "HEIC and AVIF photos are not accepted yet. Send a JPEG or PNG instead."
    return NOT_AN_IMAGE


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the image's own bytes end, and (GIF only) how many frames it has."""

    end: int
    frames: int = 1


def layout(data: bytes, kind: str) -> Layout:
    """Walk the format's structure; Refused (damaged) when it does not hold together."""
    found = {"jpeg": _jpeg_end, "png": _png_end, "gif": _gif_layout, "webp": _webp_end}[kind](
        data, 0
    )
    if found is None:
        raise Refused(DAMAGED, "bad_image")
    return found if isinstance(found, Layout) else Layout(found)


def hidden_data(data: bytes, kind: str, end: int) -> str | None:
    """What follows the image's end, if it is more than padding, as words for people.

    Cameras append a few well-known things that are not a threat and that the re-encoding
    drops anyway: more JPEGs (Multi-Picture Format: previews, HDR gain maps), Samsung's
    SEF trailer and a motion photo's MP4. Anything else after the end is refused.
    """
    while True:
        rest = data[end:]
        if not rest.strip(b"\x00 \t\r\n"):
            return None
        if kind == "jpeg" and rest.startswith(b"\xff\xd8\xff"):
            following = _jpeg_end(data, end)
            if following is None:
                return "unknown data"
            end = following
            continue
        if kind == "jpeg" and (_samsung_trailer(rest) or rest[4:8] == b"ftyp"):
            return None
        return _describe_trailer(rest)


def _describe_trailer(rest: bytes) -> str:
    lowered = rest[:4096].lower()
    if rest.startswith(b"PK") or b"PK\x03\x04" in rest or b"PK\x05\x06" in rest:
        return "a ZIP archive"
    if rest.startswith(_PROGRAMS):
        return "a program"
    if any(tag in lowered for tag in (b"<script", b"<?php", b"<html", b"<svg", b"<iframe")):
        return "a script"
    if rest.startswith(_DOCUMENTS):
        return "an archive"
    return "unknown data"


def _samsung_trailer(rest: bytes) -> bool:
    return rest.rstrip(b"\x00").endswith(b"SEFT") and b"SEFH" in rest


# --- structure walkers: each returns the offset just past the image, or None -----------


def _jpeg_end(data: bytes, start: int) -> int | None:
    """Past the EOI marker, walking segments and skipping entropy-coded scan data."""
    n = len(data)
    if data[start : start + 2] != b"\xff\xd8":
        return None
    i = start + 2
    while i < n:
        if data[i] != 0xFF:  # stray bytes between segments; decoders skip them too
            i = data.find(b"\xff", i)
            if i < 0:
                return None
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2:
            return None
        i += length
        if marker == 0xDA:
            i = _after_scan(data, i)
            if i is None:
                return None
    return None


def _after_scan(data: bytes, i: int) -> int | None:
    """Offset of the marker that ends a scan (0xFF not followed by 0x00 or a restart)."""
    n = len(data)
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            return None
        following = data[j + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            i = j + 2
            continue
        return j


def _png_end(data: bytes, start: int) -> int | None:
    """Past the IEND chunk (length, type, data, CRC)."""
    n = len(data)
    i = start + 8
    while i + 12 <= n:
        length = int.from_bytes(data[i : i + 4], "big")
        if length > 0x7FFFFFFF:
            return None
        chunk = data[i + 4 : i + 8]
        i += 12 + length
        if chunk == b"IEND":
            return i if i <= n else None
    return None


def _gif_layout(data: bytes, start: int) -> Layout | None:
    """Past the trailer byte (0x3B), counting image descriptors (frames) on the way."""
    n = len(data)
    if n < start + 13:
        return None
    i = start + 13 + _color_table(data[start + 10])
    frames = 0
    while i < n:
        block = data[i]
        if block == 0x3B:
            return Layout(i + 1, max(frames, 1))
        if block == 0x21:  # extension: label, then sub-blocks
            i = _skip_sub_blocks(data, i + 2)
        elif block == 0x2C:  # image descriptor, local colour table, LZW code size, data
            if i + 10 > n:
                return None
            frames += 1
            i = _skip_sub_blocks(data, i + 10 + _color_table(data[i + 9]) + 1)
        else:
            return None
        if i is None:
            return None
    return None


def _color_table(flags: int) -> int:
    return 3 * (1 << ((flags & 0x07) + 1)) if flags & 0x80 else 0


def _skip_sub_blocks(data: bytes, i: int) -> int | None:
    n = len(data)
    while i < n:
        size = data[i]
        i += 1
        if size == 0:
            return i
        i += size
    return None


def _webp_end(data: bytes, start: int) -> int | None:
    """RIFF says how long it is: 8 header bytes plus the (even) chunk size."""
    if len(data) < start + 12:
        return None
    size = int.from_bytes(data[start + 4 : start + 8], "little")
    end = start + 8 + size + (size & 1)
    return end if end <= len(data) else None
