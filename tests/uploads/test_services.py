"""Cloudinary (the real SDK, against a local implementation of its upload API) and ClamAV
(the INSTREAM client, against a local server speaking clamd's protocol)."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from server.app import create_app
from server.keys import console_key
from tests.realtime.conftest import PAGE_A, SHOP_A
from tests.support.apps import make_settings
from tests.uploads import pictures
from tests.uploads.fakes import MARKER, FakeClamd, FakeCloudinary

# --- Cloudinary -------------------------------------------------------------------------


@pytest.fixture
async def cloudinary(aiohttp_server):
    fake = FakeCloudinary(cloud="porchlight-test", api_key="814159265", api_secret="s3cr3t-k3y")
    server = await aiohttp_server(fake.app())
    fake.prefix = str(server.make_url("")).rstrip("/")
    return fake


def cloudinary_url(fake: FakeCloudinary, secret: str | None = None) -> str:
    return (
        f"cloudinary://{fake.api_key}:{secret or fake.api_secret}@{fake.cloud}"
        f"?upload_prefix={fake.prefix}"
    )


@pytest.fixture
def app_settings(tmp_path, sql_template, cloudinary):
    return make_settings(tmp_path, sql_template, cloudinary_url=cloudinary_url(cloudinary))


async def test_images_go_to_cloudinary_in_a_folder_per_site_with_an_eager_thumbnail(
    upload, cloudinary, tenant, app_settings
):
    answer = await upload(pictures.jpeg_with_gps(1200, 800))

    assert answer.status == 200, answer.body
    attachment = answer.attachment
    folder = f"porchlight/site-{tenant.site.id}"
    base = f"https://res.cloudinary.com/{cloudinary.cloud}/image/upload"
    assert attachment["storage"] == "cloudinary"
    assert attachment["name"].startswith(folder + "/")
    assert attachment["url"].startswith(base + "/v")
    assert attachment["url"].endswith(f"{attachment['name']}.jpg")
    assert attachment["thumb_url"].startswith(base + "/c_limit,h_480,w_480/v")
    assert attachment["thumb_url"].endswith(".webp")
    assert (attachment["width"], attachment["height"]) == (800, 1200)  # turned upright

    [sent] = cloudinary.uploads
    assert sent["params"]["folder"] == folder
    assert sent["params"]["eager"] == "c_limit,h_480,w_480/webp"
    assert sent["params"]["overwrite"] == "0"  # how the SDK spells False
    stored = Image.open(io.BytesIO(sent["data"]))
    assert stored.getexif() == {}  # Cloudinary received the cleaned image, not the original
    assert attachment["bytes"] == len(sent["data"])
    assert not (app_settings.uploads_dir / str(tenant.site.id)).exists()


async def test_a_cloudinary_image_travels_in_a_message(upload, visitor):
    uploaded = (await upload(pictures.png(300, 200))).attachment
    ack = await visitor.call(
        "send_message", {"client_id": "c-cdn", "attachments": [{"ref": uploaded["ref"]}]}
    )
    assert ack["ok"] is True, ack
    assert ack["message"]["attachments"][0]["url"] == uploaded["url"]


async def test_erasing_the_visitor_destroys_their_image_on_cloudinary(
    app, upload, visitor, tenant, cloudinary
):
    uploaded = (await upload(pictures.png(300, 200))).attachment
    ack = await visitor.call(
        "send_message", {"client_id": "c-cdn", "attachments": [{"ref": uploaded["ref"]}]}
    )
    assert ack["ok"] is True, ack

    erased = await app[console_key].console.privacy.erase(
        tenant.site.id, visitor.session["visitor_id"]
    )

    assert erased == {"files_deleted": 1}
    assert cloudinary.destroyed == [uploaded["name"]]


async def test_a_refusing_cloudinary_means_a_clear_error_and_nothing_stored(
    aiohttp_server, tmp_path, sql_template, cloudinary, socket_client
):
    from tests.support.apps import seed_tenant
    from tests.uploads.conftest import post_file

    (tmp_path / "wrong").mkdir()
    settings = make_settings(
        tmp_path / "wrong", sql_template, cloudinary_url=cloudinary_url(cloudinary, "wrong")
    )
    app = create_app(settings)
    server = await aiohttp_server(app)
    base_url = str(server.make_url("")).rstrip("/")
    tenant = await seed_tenant(app, "Shop A", [SHOP_A])
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A}
    visitor = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
    token = (await visitor.next("session"))["visitor_token"]

    answer = await post_file(base_url, pictures.png(), token=token)

    assert answer.status == 503
    assert answer.code == "storage_failed"
    assert cloudinary.uploads == []


def test_cloudinary_url_is_read_like_the_sdk_reads_it():
    from server.storage.cloudinary_files import parse_cloudinary_url

    options = parse_cloudinary_url("cloudinary://123:abc-DEF@my-cloud?upload_prefix=https://x.y")
    assert options == {
        "cloud_name": "my-cloud",
        "api_key": "123",
        "api_secret": "abc-DEF",
        "upload_prefix": "https://x.y",
    }
    with pytest.raises(ValueError, match="cloudinary://"):
        parse_cloudinary_url("https://123:abc@my-cloud")


# --- ClamAV -----------------------------------------------------------------------------


def infected_png() -> bytes:
    info = PngInfo()
    info.add_text("Comment", MARKER.decode())
    return pictures.png(pnginfo=info)


@pytest.fixture
async def clamd(tmp_path):
    fake = FakeClamd()
    fake.path = str(tmp_path / "clamd.sock")
    server = await asyncio.start_unix_server(fake.handle, path=fake.path)
    yield fake
    server.close()
    await server.wait_closed()


class TestClamdOverAUnixSocket:
    @pytest.fixture
    def app_settings(self, tmp_path, sql_template, clamd):
        return make_settings(tmp_path, sql_template, clamav=clamd.path)

    async def test_a_clean_image_is_streamed_to_clamd_and_accepted(self, upload, clamd):
        original = pictures.jpeg(1500, 1000)

        answer = await upload(original)

        assert answer.status == 200, answer.body
        assert clamd.commands == [b"zINSTREAM\0"]
        assert clamd.streams == [original]  # the bytes as sent, before any decoding
        assert max(clamd.chunk_sizes) <= 64 * 1024

    async def test_what_clamd_finds_is_refused_with_its_name(self, upload, clamd):
        answer = await upload(infected_png(), filename="x.png")

        assert answer.status == 422
        assert answer.code == "malware"
        assert "Porchlight.Test.Marker" in answer.body["error"]

    async def test_clamd_refusing_the_stream_refuses_the_upload(self, upload, clamd):
        clamd.stream_max = 1000

        answer = await upload(pictures.jpeg(800, 600))

        assert answer.status == 503
        assert answer.code == "scan_unavailable"


class TestClamdOverTcp:
    @pytest.fixture
    async def clamd_tcp(self):
        fake = FakeClamd()
        server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
        fake.address = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
        yield fake
        server.close()
        await server.wait_closed()

    @pytest.fixture
    def app_settings(self, tmp_path, sql_template, clamd_tcp):
        return make_settings(tmp_path, sql_template, clamav=f"tcp://{clamd_tcp.address}")

    async def test_host_and_port_work_too(self, upload, clamd_tcp):
        assert (await upload(pictures.png())).status == 200
        assert (await upload(infected_png())).code == "malware"
        assert len(clamd_tcp.streams) == 2


class TestClamdDown:
    @pytest.fixture
    def app_settings(self, tmp_path, sql_template):
        return make_settings(tmp_path, sql_template, clamav=str(tmp_path / "no-clamd.sock"))

    async def test_an_unreachable_scanner_refuses_rather_than_lets_through(self, upload):
        answer = await upload(pictures.png())

        assert answer.status == 503
        assert answer.code == "scan_unavailable"
        assert "try again" in answer.body["error"]
