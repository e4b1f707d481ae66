"""Image uploads: latency and throughput for a 2 MB photo, and memory for a refused 50 MB body.

The server runs in its own process (local disk storage, no ClamAV). Uploads are sent one
after another and then four at a time, as an agent (whose rate limit allows the run).
Memory is the server process's peak resident set size (``VmHWM``), reset just before each
measured request through ``/proc/<pid>/clear_refs`` (Linux), so the figure is what that
request added; both are measured first, right after a tiny warm-up upload, because a
heap that has already grown is reused and would hide what a request needs.

    python -m bench.upload_bench            print the figures
    python -m bench.upload_bench --write    also rewrite them in docs/benchmarks.md
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import aiohttp
from PIL import Image

from bench.server_process import BENCH_EMAIL, BENCH_PASSWORD, server_process

ORIGIN = "http://bench.test"
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- uploads:start -->", "<!-- uploads:end -->"
MB = 1024 * 1024


def photo(target: int = 2 * MB) -> bytes:
    """A JPEG of about ``target`` bytes that compresses like a photo (noise over shapes)."""
    width, height = 2400, 1800
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    picture = Image.blend(base, noise, 0.18)
    for quality in (92, 88, 84, 80, 75, 70, 60):
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=quality)
        if buffer.tell() <= target:
            break
    return buffer.getvalue()


def _peak_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def run_upload_bench(sequential: int = 20, parallel: int = 4, rounds: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as tmp, server_process(Path(tmp), ORIGIN) as (url, _key):
        [child] = multiprocessing.active_children()
        return await _measure(url, child.pid, sequential, parallel, rounds)


async def _measure(url: str, pid: int, sequential: int, parallel: int, rounds: int) -> dict:
    body = photo()
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{url}/api/v1/auth/login", json={"email": BENCH_EMAIL, "password": BENCH_PASSWORD}
        ) as response:
            token = (await response.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}

        async def upload(data: bytes) -> tuple[int, float]:
            form = aiohttp.FormData()
            form.add_field("file", io.BytesIO(data), filename="photo.jpg")
            started = time.perf_counter()
            async with http.post(f"{url}/api/uploads", data=form, headers=headers) as answer:
                await answer.read()
                return answer.status, time.perf_counter() - started

        tiny = io.BytesIO()
        Image.new("RGB", (8, 8)).save(tiny, "PNG")
        status, _ = await upload(tiny.getvalue())  # warm up: imports, the first thread
        assert status == 200, status

        # Memory first, while the server's heap is still small: freed memory is reused,
        # so a request after bigger ones would add nothing whatever it did.
        async def fifty_megabytes():
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n'
            chunk = b"\xff\xd8\xff" + b"\x00" * (64 * 1024 - 3)
            for _ in range(50 * 16):
                yield chunk
            yield b"\r\n--b--\r\n"

        _reset_peak(pid)
        baseline = _rss_kib(pid)
        started = time.perf_counter()
        async with http.post(
            f"{url}/api/uploads",
            data=fifty_megabytes(),
            headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
        ) as answer:
            refused_status = answer.status
            refused_seconds = time.perf_counter() - started
        refused_peak = _peak_kib(pid) - baseline

        _reset_peak(pid)
        baseline = _rss_kib(pid)
        status, _ = await upload(body)
        assert status == 200, status
        accepted_peak = _peak_kib(pid) - baseline

        latencies = []
        for _ in range(sequential):
            status, seconds = await upload(body)
            assert status == 200, status
            latencies.append(seconds)

        started = time.perf_counter()
        for _ in range(rounds):
            answers = await asyncio.gather(*(upload(body) for _ in range(parallel)))
            assert all(status == 200 for status, _ in answers), answers
        parallel_seconds = time.perf_counter() - started

    count = parallel * rounds
    return {
        "photo_bytes": len(body),
        "sequential": sequential,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": statistics.quantiles(latencies, n=20)[18] * 1000,
        "sequential_per_s": sequential / sum(latencies),
        "parallel": parallel,
        "parallel_count": count,
        "parallel_per_s": count / parallel_seconds,
        "parallel_mb_per_s": count * len(body) / MB / parallel_seconds,
        "accepted_peak_mib": accepted_peak / 1024,
        "refused_status": refused_status,
        "refused_ms": refused_seconds * 1000,
        "refused_peak_mib": refused_peak / 1024,
    }


def render(r: dict) -> str:
    return "\n".join(
        [
            f"Measured {date.today().isoformat()} on {platform.machine()}, "
            f"{platform.python_implementation()} {platform.python_version()}, local disk "
            f"storage, no ClamAV; a {r['photo_bytes'] / MB:.1f} MB JPEG (2400 x 1800).",
            "",
            "| figure | value |",
            "|---|---|",
            f"| upload, one at a time, p50 | {r['p50_ms']:.0f} ms |",
            f"| upload, one at a time, p95 | {r['p95_ms']:.0f} ms |",
            f"| uploads per second, one at a time | {r['sequential_per_s']:.1f} |",
            f"| uploads per second, {r['parallel']} at a time | {r['parallel_per_s']:.1f} "
            f"({r['parallel_mb_per_s']:.1f} MB/s) |",
            f"| server peak memory added by one accepted upload | "
            f"{r['accepted_peak_mib']:.1f} MiB |",
            f"| 50 MB body refused: answer | {r['refused_status']} after "
            f"{r['refused_ms']:.0f} ms |",
            f"| server peak memory added by the refused 50 MB body | "
            f"{r['refused_peak_mib']:.1f} MiB |",
        ]
    )


def main() -> None:
    results = asyncio.run(run_upload_bench())
    figures = render(results)
    print(figures)
    if "--write" in sys.argv:
        text = DOC.read_text()
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        DOC.write_text(pattern.sub(lambda _: f"{START}\n{figures}\n{END}", text))


if __name__ == "__main__":
    main()
