"""The structure walkers that find where an image ends, on real encoder output."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from server.services.files.images_layout import Refused, hidden_data, layout, sniff
from tests.uploads import pictures


def noise(width: int, height: int) -> Image.Image:
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def encoded(img: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (encoded(noise(300, 200), "JPEG", quality=95), "jpeg"),
        (encoded(noise(300, 200), "JPEG", progressive=True, optimize=True), "jpeg"),
        (encoded(noise(300, 200), "JPEG", restart_marker_blocks=1), "jpeg"),
        (encoded(noise(120, 80).convert("L"), "JPEG"), "jpeg"),
        (encoded(noise(120, 80), "JPEG", exif=Image.Exif(), comment=b"hello"), "jpeg"),
        (encoded(noise(200, 100), "PNG"), "png"),
        (encoded(noise(60, 60).convert("P"), "PNG", transparency=0), "png"),
        (pictures.animated_gif(4), "gif"),
        (encoded(noise(50, 50).convert("P"), "GIF"), "gif"),
        (encoded(noise(100, 70), "WEBP", quality=80), "webp"),
        (encoded(noise(100, 70), "WEBP", lossless=True), "webp"),
    ],
)
def test_the_end_found_is_the_end_of_the_file(data, kind):
    assert sniff(data) == kind
    assert layout(data, kind).end == len(data)
    assert hidden_data(data, kind, len(data)) is None


def test_gif_frames_are_counted_without_decoding():
    assert layout(pictures.animated_gif(7), "gif").frames == 7


@pytest.mark.parametrize(
    "trailer",
    [
        b"\x00" * 64,  # padding
        pictures.jpeg(16, 16),  # Multi-Picture Format: a second JPEG
        b"\x00\x00\x00\x1cftypmp42" + os.urandom(200),  # a motion photo's MP4
        b"SEFH" + os.urandom(100) + b"\x00\x00\x00\x10SEFT",  # Samsung's trailer
    ],
)
def test_what_cameras_append_is_not_hidden_data(trailer):
    data = pictures.jpeg() + trailer
    end = layout(data, "jpeg").end
    assert hidden_data(data, "jpeg", end) is None


def test_a_truncated_image_has_no_end():
    data = encoded(noise(200, 200), "PNG")
    with pytest.raises(Refused) as refused:
        layout(data[: len(data) // 2], "png")
    assert refused.value.code == "bad_image"
