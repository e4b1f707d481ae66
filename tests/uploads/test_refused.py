"""Every way an upload is refused, with the reason a person can read."""

from __future__ import annotations

import asyncio
import io
import os
import tracemalloc

import aiohttp
import pytest
from PIL import Image

from server.keys import uploads_key
from tests.realtime.conftest import SHOP_A
from tests.uploads import pictures
from tests.uploads.conftest import post_file

MB = 1024 * 1024


@pytest.fixture
def app_settings(embedded_settings):
    return embedded_settings


def noisy_jpeg(width: int = 400, height: int = 300) -> bytes:
    img = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "words"),
    [
        (b"just some text, not a picture\n", "notes.png", "image/png", "not an image we accept"),
        (pictures.ELF_PROGRAM, "holiday.jpg", "image/jpeg", "is a program"),
        (pictures.WINDOWS_PROGRAM, "cat.png", "image/png", "is a program"),
        (pictures.SVG, "logo.svg", "image/svg+xml", "SVG images are not accepted"),
        (b"\xef\xbb\xbf  " + pictures.SVG[21:], "logo.png", "image/png", "SVG"),
        (pictures.zip_archive(), "photos.jpg", "image/jpeg", "archive"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 16, "photos.jpg", "image/jpeg", "archive"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "IMG_0001.jpg", "image/jpeg", "HEIC"),
    ],
)
async def test_files_that_are_not_images_are_refused_by_their_bytes(
    upload, data, filename, content_type, words
):
    answer = await upload(data, filename=filename, content_type=content_type)

    assert answer.status == 415
    assert answer.body["ok"] is False
    assert answer.code == "unsupported_type"
    assert words in answer.body["error"]


async def test_the_eicar_test_file_is_refused_as_malware(upload):
    answer = await upload(pictures.EICAR, filename="eicar.com.jpg")
    assert answer.status == 422
    assert answer.code == "malware"
    assert "EICAR" in answer.body["error"]


async def test_eicar_inside_a_real_image_is_refused_too(upload):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", pictures.EICAR.decode())
    answer = await upload(pictures.png(pnginfo=info), filename="a.png")
    assert (answer.status, answer.code) == (422, "malware")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (pictures.jpeg() + pictures.zip_archive(), "a ZIP archive hidden after it"),
        (pictures.png() + b"<script>alert(1)</script>", "a script hidden after it"),
        (pictures.animated_gif(2) + pictures.zip_archive(), "a ZIP archive hidden after it"),
        (pictures.webp() + b"#!/bin/sh\nrm -rf /\n", "unknown data hidden after it"),
        (pictures.jpeg() + pictures.ELF_PROGRAM, "a program hidden after it"),
        (pictures.jpeg() + pictures.jpeg() + b"MZ-and-more", "hidden after it"),
    ],
)
async def test_an_image_with_something_appended_is_a_polyglot(upload, data, words):
    answer = await upload(data)

    assert answer.status == 422
    assert answer.code == "polyglot"
    assert words in answer.body["error"]


async def test_a_script_inside_an_image_comment_is_refused(upload):
    answer = await upload(pictures.jpeg(comment=b"<?php system($_GET['c']); ?>"))
    assert (answer.status, answer.code) == (422, "polyglot")
    assert "a script hidden inside it" in answer.body["error"]


async def test_what_cameras_append_is_not_a_polyglot(upload):
    # Multi-Picture Format: phones store a preview or an HDR gain map as a second JPEG.
    answer = await upload(pictures.jpeg(64, 48) + pictures.jpeg(16, 12) + b"\x00" * 32)
    assert answer.status == 200, answer.body


@pytest.mark.parametrize(
    "data",
    [
        noisy_jpeg()[:8000],  # cut in the middle of the scan data
        pictures.png(300, 200, mode="RGB")[:60],  # the header and nothing else
        pictures.animated_gif(3)[:-30],
        pictures.webp(200, 200)[:-20],
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(3000),  # a JPEG start, then noise
    ],
)
async def test_a_truncated_or_damaged_image_is_refused(upload, data):
    answer = await upload(data)
    assert answer.status == 422
    assert answer.code == "bad_image"
    assert answer.body["error"] == "The image is damaged or incomplete."


@pytest.mark.parametrize(
    "data",
    [
        pictures.png_claiming(9_000, 9_000),  # 81 MP: under Pillow's own alarm, over ours
        pictures.png_claiming(100_000, 100_000),  # 10 gigapixels in a few hundred bytes
        pictures.png_claiming(20_000, 100),  # a side longer than any we store
        pictures.jpeg_claiming(60_000, 60_000),
    ],
)
async def test_bomb_dimensions_are_refused_before_decoding(upload, data):
    assert len(data) < 2000
    answer = await upload(data)
    assert answer.status == 422
    assert answer.code == "dimensions"
    assert "megapixels" in answer.body["error"]


async def test_a_huge_jpeg_is_decoded_scaled_rather_than_refused(upload, app):
    from server.services.files.images import ImageLimits

    service = app[uploads_key]
    service.image_limits = ImageLimits(max_pixels=300 * 200)  # 60,000 pixels
    answer = await upload(noisy_jpeg(800, 600))  # 480,000 pixels: 1/4 scale fits
    assert answer.status == 200, answer.body
    assert (answer.attachment["width"], answer.attachment["height"]) == (200, 150)


async def test_too_many_frames_are_refused(upload):
    answer = await upload(pictures.animated_gif(501, size=(2, 2)))
    assert (answer.status, answer.code) == (422, "dimensions")
    assert "at most 500 frames" in answer.body["error"]


async def test_an_empty_file_is_refused(upload):
    answer = await upload(b"")
    assert (answer.status, answer.code) == (400, "invalid")


async def test_a_body_announced_larger_than_the_limit_is_refused_unread(upload):
    answer = await upload(b"\xff\xd8\xff" + b"\x00" * (11 * MB))
    assert answer.status == 413
    assert answer.code == "too_large"
    assert answer.body["error"] == "The file is larger than 10 MB."


async def test_a_streamed_50_mb_upload_is_cut_off_at_the_limit_with_memory_bounded(
    base_url, visitor
):
    boundary = "porchlightboundary"
    chunk = b"\xab" * (64 * 1024)
    progress = {"sent": 0}

    async def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"'
            "\r\nContent-Type: image/jpeg\r\n\r\n"
        ).encode()
        yield b"\xff\xd8\xff\xe0"
        while progress["sent"] < 50 * MB:
            progress["sent"] += len(chunk)
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    tracemalloc.start()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{base_url}/api/uploads",
                data=body(),
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Authorization": f"Bearer {visitor.token}",
                    "Origin": SHOP_A,
                },
            ) as response,
        ):
            sent_when_answered = progress["sent"]
            status, payload = response.status, await response.json()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert status == 413
    assert payload["code"] == "too_large"
    # The answer came once the limit was crossed, long before the 50 MB were sent (what is
    # in flight in the sockets' buffers aside), and the server never held more than its
    # 1 MiB spool plus a few read buffers.
    assert sent_when_answered < 30 * MB
    assert peak < 6 * MB, f"peak traced memory {peak / MB:.1f} MB"


async def test_a_body_that_is_not_multipart_is_refused(base_url, visitor):
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base_url}/api/uploads",
            data=pictures.png(),
            headers={
                "Content-Type": "image/png",
                "Authorization": f"Bearer {visitor.token}",
                "Origin": SHOP_A,
            },
        ) as response,
    ):
        assert response.status == 400
        assert (await response.json())["code"] == "invalid"


async def test_a_client_that_goes_away_mid_upload_is_no_server_fault():
    """A cancelled upload (the browser aborts) reads as a body cut short, not as a crash."""
    from aiohttp import streams
    from aiohttp.test_utils import make_mocked_request

    from server.domain import InvalidInput
    from server.http.api.uploads import receive_file

    payload = streams.StreamReader(_Protocol(), 2**16, loop=asyncio.get_running_loop())
    payload.feed_data(b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n\xff\xd8')
    payload.set_exception(ConnectionResetError("Connection lost"))
    request = make_mocked_request(
        "POST",
        "/api/uploads",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        payload=payload,
    )

    with pytest.raises(InvalidInput, match="cut short"):
        await receive_file(request, MB, io.BytesIO())


class _Protocol:
    _reading_paused = False

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


async def test_a_form_without_a_file_field_is_refused(upload):
    answer = await upload(pictures.png(), field="image")
    assert (answer.status, answer.code) == (400, "invalid")
    assert "field named 'file'" in answer.body["error"]


# --- who may upload ---------------------------------------------------------------------


async def test_no_credentials_no_upload(base_url, tenant):
    answer = await post_file(base_url, pictures.png())
    assert (answer.status, answer.code) == (401, "unauthenticated")
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP_A  # the widget can read why


async def test_a_forged_token_is_refused(base_url, tenant, visitor):
    head, payload, _ = visitor.token.split(".")
    answer = await post_file(base_url, pictures.png(), token=f"{head}.{payload}.forged")
    assert (answer.status, answer.code) == (401, "unauthenticated")


async def test_a_visitor_token_from_a_page_the_site_does_not_allow_is_refused(upload):
    answer = await upload(pictures.png(), origin="http://evil.test")
    assert (answer.status, answer.code) == (403, "forbidden")
    assert "Access-Control-Allow-Origin" not in answer.headers


async def test_the_dashboard_cookie_does_not_work_from_other_pages(base_url, agent_token):
    answer = await post_file(
        base_url,
        pictures.png(),
        origin=SHOP_A,
        cookies={"porchlight_session": agent_token},
    )
    assert (answer.status, answer.code) == (403, "forbidden")


async def test_an_agent_uploads_only_to_their_own_sites(base_url, agent_token):
    answer = await post_file(base_url, pictures.png(), token=agent_token, query="?site_id=999")
    assert (answer.status, answer.code) == (403, "forbidden")
