"""Files that are not images: PDF documents and plain text, checked as strictly as images.

A PDF is known by its magic number (``%PDF-1.x`` or ``%PDF-2.0``) and must end with
``%%EOF``; one that carries active content (JavaScript, launch actions, embedded files,
forms that submit, rich media) is refused. Names are read with their ``#xx`` escapes
undone, so ``/J#61vaScript`` is seen too; content inside compressed object streams is
left to ClamAV. Plain text has no magic number: it is accepted when the uploader calls it
``.txt`` and every byte is UTF-8 text (no NUL, no control characters but tab, line
breaks and form feed), and it does not open like markup or a script. Both are served as
downloads (``Content-Disposition: attachment``), never shown inline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.services.files.images_layout import Refused

PDF = "pdf"
TEXT = "text"
TYPES = {PDF: "application/pdf", TEXT: "text/plain"}
EXTENSIONS = {PDF: "pdf", TEXT: "txt"}

_PDF_HEADER = re.compile(rb"%PDF-(?:1\.[0-7]|2\.0)\s")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_ACTIVE = (
    (rb"/JavaScript", "JavaScript"),
    (rb"/JS", "JavaScript"),
    (rb"/Launch", "an action that starts a program"),
    (rb"/EmbeddedFile", "an embedded file"),
    (rb"/SubmitForm", "a form that sends data"),
    (rb"/RichMedia", "rich media"),
)
_MARKUP_OR_SCRIPT = (b"<", b"#!", b"<?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # all but tab, breaks, form feed
MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # PDF | TEXT
    type: str
    ext: str


def recognise(data: bytes, filename: str | None) -> Document | None:
    """A PDF by its bytes, or text the uploader named ``.txt``; None for anything else."""
    if data.startswith(b"%PDF-"):
        check_pdf(data)
        return Document(PDF, TYPES[PDF], EXTENSIONS[PDF])
    if filename and filename.lower().endswith(".txt") and is_plain_text(data):
        return Document(TEXT, TYPES[TEXT], EXTENSIONS[TEXT])
    return None


def check_pdf(data: bytes) -> None:
    if not _PDF_HEADER.match(data[:16]):
        raise Refused("This PDF's version is not one we know.", "bad_file")
    if b"%%EOF" not in data[-1024:]:
        raise Refused("The PDF is damaged or incomplete.", "bad_file")
    names = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    for token, what in _ACTIVE:
        # A name ends at whitespace or a delimiter: /JS is not /JSON.
        if re.search(re.escape(token) + rb"(?![A-Za-z0-9])", names):
            raise Refused(f"This PDF contains {what}, so it was refused.", "active_content")


def is_plain_text(data: bytes) -> bool:
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if body.lstrip().startswith(_MARKUP_OR_SCRIPT):
        return False
    return _CONTROL.search(text) is None


def clean_filename(raw: str | None, ext: str) -> str:
    """The name people see on the file card: no path, no control characters, at most
    120 characters, ending in the type's own extension."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>').strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[: MAX_NAME - len(ext) - 1].strip() or "file"
    return f"{stem}.{ext}"
