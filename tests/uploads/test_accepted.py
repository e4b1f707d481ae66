"""Uploads that are accepted: what comes back, what is stored, and how it is served."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.realtime.conftest import SHOP_A
from tests.uploads import pictures
from tests.uploads.conftest import fetch, post_file


@pytest.fixture
def app_settings(embedded_settings):
    return embedded_settings


async def test_a_visitor_uploads_a_png_and_gets_a_signed_attachment(upload, base_url, tenant):
    answer = await upload(pictures.png(64, 48), filename="screenshot.png")

    assert answer.status == 200, answer.body
    assert answer.body["ok"] is True
    attachment = answer.attachment
    assert attachment["type"] == "image/png"
    assert (attachment["width"], attachment["height"]) == (64, 48)
    assert attachment["storage"] == "disk"
    assert attachment["url"].startswith(f"/uploads/{tenant.site.id}/")
    assert attachment["thumb_url"] == attachment["url"]  # small enough to be its own thumbnail
    assert attachment["ref"].count(".") == 2  # a signed token
    assert "screenshot" not in attachment["url"]  # the visitor's file name is not used
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP_A

    status, body, _ = await fetch(base_url, attachment["url"])
    assert status == 200
    assert attachment["bytes"] == len(body)
    assert Image.open(io.BytesIO(body)).size == (64, 48)


async def test_a_large_photo_gets_a_480_pixel_thumbnail(upload, base_url):
    answer = await upload(pictures.jpeg(1600, 1200))

    attachment = answer.attachment
    assert (attachment["width"], attachment["height"]) == (1600, 1200)
    assert attachment["thumb_url"] != attachment["url"]
    status, body, headers = await fetch(base_url, attachment["thumb_url"])
    assert status == 200
    assert headers["Content-Type"] == "image/webp"
    thumb = Image.open(io.BytesIO(body))
    assert thumb.format == "WEBP"
    assert thumb.size == (480, 360)


async def test_gps_and_camera_metadata_are_gone_and_the_photo_stays_upright(upload, base_url):
    original = pictures.jpeg_with_gps(120, 80)
    before = Image.open(io.BytesIO(original)).getexif()
    assert pictures.GPS_IFD in before and before.get_ifd(pictures.GPS_IFD)  # the test is real

    answer = await upload(original)

    assert answer.status == 200, answer.body
    # Orientation 6 was applied to the pixels: the stored image is portrait, red on top.
    assert (answer.attachment["width"], answer.attachment["height"]) == (80, 120)
    _, body, _ = await fetch(base_url, answer.attachment["url"])
    stored = Image.open(io.BytesIO(body))
    assert stored.getexif() == {}
    assert b"Exif" not in body and b"Porchlight Test Camera" not in body
    red, green, blue = stored.convert("RGB").getpixel((40, 10))
    assert red > 200 and green < 60 and blue < 60


async def test_text_chunks_and_colour_profiles_do_not_survive(upload, base_url):
    answer = await upload(pictures.png_with_private_text(), filename="a.png")

    _, body, _ = await fetch(base_url, answer.attachment["url"])
    assert b"Secret Lane" not in body and b"xmpmeta" not in body
    stored = Image.open(io.BytesIO(body))
    assert "icc_profile" not in stored.info and not stored.text


async def test_an_animated_gif_keeps_its_frames_and_loses_its_comment(upload, base_url):
    answer = await upload(pictures.animated_gif(3, comment=b"made by someone at home"))

    assert answer.status == 200, answer.body
    attachment = answer.attachment
    assert attachment["type"] == "image/gif"
    assert attachment["thumb_url"] == attachment["url"]  # the thumbnail moves too
    _, body, _ = await fetch(base_url, attachment["url"])
    assert b"made by someone" not in body
    gif = Image.open(io.BytesIO(body))
    assert gif.n_frames == 3
    colors = []
    for index in range(3):
        gif.seek(index)
        colors.append(gif.convert("RGB").getpixel((5, 5)))
    assert colors == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


async def test_webp_is_accepted(upload):
    answer = await upload(pictures.webp(), filename="x.webp", content_type="image/webp")
    assert answer.status == 200, answer.body
    assert answer.attachment["type"] == "image/webp"


async def test_the_type_comes_from_the_bytes_not_the_name(upload):
    answer = await upload(pictures.png(), filename="holiday.gif", content_type="image/gif")
    assert answer.attachment["type"] == "image/png"
    assert answer.attachment["url"].endswith(".png")


async def test_an_agent_uploads_with_a_token_or_the_dashboard_cookie(base_url, tenant, agent_token):
    by_token = await post_file(base_url, pictures.png(), token=agent_token, origin=None)
    assert by_token.status == 200, by_token.body

    by_cookie = await post_file(
        base_url,
        pictures.png(),
        origin=base_url,
        cookies={"porchlight_session": agent_token},
        query=f"?site_id={tenant.site.id}",
    )
    assert by_cookie.status == 200, by_cookie.body
    assert by_cookie.attachment["url"].startswith(f"/uploads/{tenant.site.id}/")


async def test_the_served_file_cannot_run_anything(upload, base_url):
    answer = await upload(pictures.png())

    status, _, headers = await fetch(base_url, answer.attachment["url"])

    assert status == 200
    assert headers["Content-Type"] == "image/png"
    name = answer.attachment["url"].rsplit("/", 1)[1]
    assert headers["Content-Disposition"] == f'inline; filename="{name}"'
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/1/../../secret_key",
        "/uploads/1/%2e%2e%2fsecret_key",
        "/uploads/abc/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.png",
        "/uploads/1/short.png",
        "/uploads/1/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.svg",
        "/uploads/1/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.png",
    ],
)
async def test_only_exact_stored_names_are_served(base_url, path):
    status, _, _ = await fetch(base_url, path)
    assert status == 404


async def test_a_file_of_one_site_is_not_found_under_another(upload, base_url, tenant):
    answer = await upload(pictures.png())
    other = answer.attachment["url"].replace(f"/uploads/{tenant.site.id}/", "/uploads/999/")
    status, _, _ = await fetch(base_url, other)
    assert status == 404


async def test_the_widget_may_ask_before_sending_its_authorization_header(base_url, tenant):
    import aiohttp

    async with aiohttp.ClientSession() as http:
        allowed = await http.options(
            f"{base_url}/api/uploads",
            headers={
                "Origin": SHOP_A,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        foreign = await http.options(
            f"{base_url}/api/uploads",
            headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.status == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == SHOP_A
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert foreign.status == 403
    assert "Access-Control-Allow-Origin" not in foreign.headers
