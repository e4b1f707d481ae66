"""``porchlight backup`` of a running installation, ``porchlight restore`` into an empty
data directory, and a server on the restored directory that has the data."""

from __future__ import annotations

import asyncio
import subprocess
import tarfile
from pathlib import Path

import aiohttp
import pytest

from tests.resilience.processes import HOST, Node
from tests.support.sockets import RecordingClient
from tests.uploads import pictures
from tests.uploads.conftest import post_file

SHOP = "http://shop.test"
EMAIL = "owner@shop.test"
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


def url_of(node: Node) -> str:
    return f"http://{HOST}:{node.port}"


async def signed_in(http: aiohttp.ClientSession, node: Node) -> dict[str, str]:
    async with http.post(
        f"{url_of(node)}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
    ) as response:
        assert response.status == 200, await response.text()
        return {"Authorization": f"Bearer {(await response.json())['token']}"}


async def messages_seen_by_the_agent(node: Node) -> list[str]:
    async with aiohttp.ClientSession() as http:
        auth = await signed_in(http, node)
        base = url_of(node)
        async with http.get(f"{base}/api/v1/me", headers=auth) as r:
            [site] = (await r.json())["sites"]
            site_id = site["id"]
        async with http.get(f"{base}/api/v1/sites/{site_id}/conversations", headers=auth) as r:
            assert r.status == 200, await r.text()
            [conversation] = (await r.json())["conversations"]
        async with http.get(
            f"{base}/api/v1/conversations/{conversation['id']}/messages", headers=auth
        ) as r:
            assert r.status == 200, await r.text()
            return [m["text"] for m in (await r.json())["messages"]]


async def test_a_running_installation_backed_up_and_restored(tmp_path: Path) -> None:
    live = Node("live", {}, tmp_path)
    await asyncio.to_thread(live.run_command, "migrate")
    site_key = (
        await asyncio.to_thread(live.run_command, "create-site", "--name", "Shop", "--origin", SHOP)
    ).splitlines()[-1]
    await asyncio.to_thread(
        live.run_command, "create-agent", "--email", EMAIL, "--password", PASSWORD,
        "--site", site_key, "--role", "owner",
    )  # fmt: skip
    archive = tmp_path / "nightly.tar.gz"
    restored = Node("restored", {}, tmp_path)
    await asyncio.to_thread(live.start)
    try:
        visitor = await RecordingClient("/visitor").connect(
            url_of(live), {"site_key": site_key, "page": {"url": f"{SHOP}/"}}, {"Origin": SHOP}
        )
        session = await visitor.next("session")
        for n in range(5):
            ack = await visitor.call("send_message", {"client_id": f"c{n}", "text": f"before {n}"})
            assert ack["ok"], ack
        picture = pictures.png()
        uploaded = await post_file(
            url_of(live), picture, token=session["visitor_token"], origin=SHOP,
            filename="receipt.png", content_type="image/png",
        )  # fmt: skip
        assert uploaded.status == 200, uploaded.body

        copied = asyncio.Event()

        async def keep_writing() -> None:  # the server is busy while the copy is taken
            n = 0
            # Stopped by a flag, not a cancellation: on Python 3.11 ``wait_for`` inside the
            # client's call loses a cancellation that lands as the ack arrives.
            while not copied.is_set():
                await visitor.call("send_message", {"client_id": f"w{n}", "text": f"during {n}"})
                n += 1

        writer = asyncio.create_task(keep_writing())
        try:
            said = await asyncio.to_thread(live.run_command, "backup", "--output", str(archive))
        finally:
            copied.set()
            await asyncio.gather(asyncio.wait_for(writer, 30), return_exceptions=True)
        await visitor.close()
        print(said)
        assert "porchlight.db" in said and "messages.db" in said and "uploads/ (1 file)" in said
        with tarfile.open(archive) as tar:
            names = tar.getnames()
        assert {"manifest.json", "porchlight.db", "messages.db"} <= set(names)

        said = await asyncio.to_thread(restored.run_command, "restore", str(archive))
        print(said)
        await asyncio.to_thread(restored.start)
        texts = await messages_seen_by_the_agent(restored)
        assert texts[:5] == [f"before {n}" for n in range(5)]
        assert all(t.startswith("during ") for t in texts[5:])  # a consistent moment
        async with (
            aiohttp.ClientSession() as http,
            http.get(url_of(restored) + uploaded.attachment["url"]) as response,
        ):
            assert response.status == 200
            assert await response.read()

        # A second restore into the same directory refuses to overwrite what is there.
        restored.kill()
        with pytest.raises(subprocess.CalledProcessError) as refused:
            await asyncio.to_thread(restored.run_command, "restore", str(archive))
        assert "restore needs an empty data directory" in refused.value.stderr
    finally:
        live.kill()
        restored.kill()


async def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    node = Node("empty", {}, tmp_path)
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(subprocess.CalledProcessError) as refused:
        await asyncio.to_thread(node.run_command, "restore", str(junk))
    assert "is not a Porchlight backup" in refused.value.stderr
    assert refused.value.stderr.count("\n") == 1  # one line, no traceback
