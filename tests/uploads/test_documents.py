"""PDFs and plain text travel like images: the type from the bytes (text only when named
.txt and strictly text), the same size limit and malware checks, stored as they are and
served as downloads under the name the uploader gave them. Both store shapes."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from PIL import Image

from tests.realtime.conftest import login_token
from tests.uploads import pictures
from tests.uploads.conftest import fetch


def pdf(extra: bytes = b"") -> bytes:
    """A real one-page PDF (Pillow writes it), with ``extra`` placed before its trailer."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PDF")
    data = out.getvalue()
    if not extra:
        return data
    at = data.rindex(b"trailer")
    return data[:at] + extra + b"\n" + data[at:]


@pytest.fixture
async def agent(base_url, tenant, socket_client):
    client = await socket_client(
        "/agent", base_url, {"token": await login_token(base_url, tenant.email)}
    )
    await client.next("session")
    return client


async def test_a_pdf_reaches_the_agent_and_downloads_as_an_attachment(
    base_url, upload, visitor, agent
):
    data = pdf()
    answer = await upload(data, filename="Invoice März 2026.pdf", content_type="application/pdf")
    assert answer.status == 200, answer.body
    uploaded = answer.attachment
    assert (uploaded["type"], uploaded["bytes"], uploaded["filename"]) == (
        "application/pdf",
        len(data),
        "Invoice März 2026.pdf",
    )
    assert uploaded["thumb_url"] is None and uploaded["width"] is None

    ack = await visitor.call(
        "send_message", {"client_id": "c-pdf", "text": "", "attachments": [uploaded]}
    )
    assert ack["ok"], ack
    seen = await agent.next("message")
    assert seen["attachments"][0]["filename"] == "Invoice März 2026.pdf"
    assert (await agent.next("conversation_updated"))["preview"] == "[file]"

    status, body, headers = await fetch(base_url, seen["attachments"][0]["url"])
    assert status == 200 and body == data
    assert headers["Content-Type"] == "application/pdf"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Invoice März 2026.pdf"
    assert headers["X-Content-Type-Options"] == "nosniff"


async def test_plain_text_named_txt_is_accepted_and_downloads(base_url, upload):
    text = b"Order 42\nSize: M\tColour: blue\n"
    answer = await upload(text, filename="order.txt", content_type="text/plain")
    assert answer.status == 200, answer.body
    assert answer.attachment["type"] == "text/plain"

    status, body, headers = await fetch(base_url, answer.attachment["url"])
    assert status == 200 and body == text
    assert headers["Content-Type"].startswith("text/plain")
    assert headers["Content-Disposition"].startswith('attachment; filename="order.txt"')


@pytest.mark.parametrize(
    ("data", "filename", "status", "code"),
    [
        (pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "a.pdf", 422, "active_content"),
        (pdf(b"<< /S /J#61vaScript >>"), "a.pdf", 422, "active_content"),
        (pdf(b"<< /Type /Action /S /Launch /F (calc.exe) >>"), "a.pdf", 422, "active_content"),
        (pdf(b"<< /Type /EmbeddedFile >>"), "a.pdf", 422, "active_content"),
        (pdf()[:700], "cut.pdf", 422, "bad_file"),
        (pdf(b"% " + pictures.EICAR), "eicar.pdf", 422, "malware"),
        (b"just text\n", "notes.md", 415, "unsupported_type"),  # text only as .txt
        (b"text with a \x00 NUL\n", "notes.txt", 415, "unsupported_type"),
        (b"\xff\xfe not UTF-8\n", "notes.txt", 415, "unsupported_type"),
        (b"<html><script>alert(1)</script></html>", "page.txt", 415, "unsupported_type"),
        (b"#!/bin/sh\nrm -rf /\n", "run.txt", 415, "unsupported_type"),
        (pictures.EICAR, "eicar.txt", 422, "malware"),
    ],
)
async def test_documents_that_fail_a_check_are_refused(upload, data, filename, status, code):
    answer = await upload(data, filename=filename, content_type="application/octet-stream")

    assert (answer.status, answer.code) == (status, code), answer.body
    assert answer.body["error"]


async def test_a_document_over_the_size_limit_is_refused(app, upload):
    from server.keys import uploads_key

    app[uploads_key].max_bytes = 1000
    answer = await upload(pdf(), filename="big.pdf", content_type="application/pdf")
    assert (answer.status, answer.code) == (413, "too_large")
