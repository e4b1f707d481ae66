"""The Visitors view with 1,000 visitors online and 100 page views a second, in Chromium.

    .venv/bin/python -m bench.visitors_browser [--visitors 1000] [--rate 100] [--seconds 20]

Starts `porchlight run` in a subprocess (embedded stores, a fresh data directory),
connects the visitors from many places (bench/visitors_load.py), opens the dashboard in
Debian's Chromium and measures, in the page: the time until every row is on screen,
frame intervals (requestAnimationFrame) and long tasks (PerformanceObserver) while the
page views arrive. Also measures `list_visitors` with everyone online. Rewrites the
block between the visitors markers in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import aiohttp
import socketio
from playwright.async_api import async_playwright

from bench.visitors_load import browse_at, close_all, connect_all

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- visitors:start -->", "<!-- visitors:end -->"
EMAIL, PASSWORD = "bench@porchlight.test", "bench-password-1"
ORIGIN = "http://shop.bench.test"

MEASURE = """() => {
  window.__bench = {frames: [], long: []};
  let last = performance.now();
  const tick = (now) => { window.__bench.frames.push(now - last); last = now;
                          if (!window.__bench.stop) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.long.push(e.duration);
  }).observe({type: "longtask", buffered: false});
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "server", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return done.stdout.strip()


def start_server(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as errors:
        return subprocess.Popen(
            [sys.executable, "-m", "server", "run"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def wait_until_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the server did not start")


async def list_visitors_ms(url: str, cookie: str, expected: int, times: int = 5) -> float:
    agent = socketio.AsyncClient(reconnection=False)
    await agent.connect(
        url,
        namespaces=["/agent"],
        headers={"Cookie": cookie},
        transports=["websocket"],
        wait_timeout=30,
    )
    took = []
    try:
        for _ in range(times):
            start = time.perf_counter()
            ack = await agent.call("list_visitors", {}, namespace="/agent", timeout=60)
            took.append((time.perf_counter() - start) * 1000)
            assert len(ack["visitors"]) == expected, len(ack["visitors"])
    finally:
        await agent.disconnect()
    return statistics.median(took)


async def run(visitors: int, rate: float, seconds: float) -> dict[str, object]:
    data = Path(tempfile.mkdtemp(prefix="pl-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "PORCHLIGHT_DATA_DIR": str(data),
        "PORCHLIGHT_PORT": str(port),
        "PORCHLIGHT_HOST": "127.0.0.1",
        "PORCHLIGHT_TRUSTED_PROXIES": "127.0.0.1",
        "PORCHLIGHT_SECRET_KEY": "bench-" + "s" * 40,
    }
    cli(env, "migrate")
    site_key = cli(env, "create-site", "--name", "Bench", "--origin", ORIGIN)
    cli(env, "create-agent", "--email", EMAIL, "--password", PASSWORD, "--site", site_key)
    server = start_server(env, data / "server.log")
    url = f"http://127.0.0.1:{port}"
    crowd = []
    try:
        await wait_until_up(url)
        started = time.perf_counter()
        crowd = await connect_all(url, ORIGIN, site_key, visitors)
        connect_s = time.perf_counter() - started
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True
            )
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            await page.goto(f"{url}/dashboard/login")
            await page.fill("#email", EMAIL)
            await page.fill("#password", PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{url}/dashboard")
            cookie = "; ".join(f"{c['name']}={c['value']}" for c in await page.context.cookies())
            list_ms = await list_visitors_ms(url, cookie, visitors)

            # Record, from navigation start, when the last row is in the DOM.
            await page.add_init_script(
                "(() => { const check = () => {"
                f" if (document.querySelectorAll('.vt-item').length >= {visitors})"
                " window.__rendered = performance.now(); else requestAnimationFrame(check); };"
                " requestAnimationFrame(check); })();"
            )
            await page.goto("about:blank")
            await page.goto(f"{url}/dashboard#/visitors")
            first_render_ms = None
            for _ in range(1200):
                first_render_ms = await page.evaluate("() => window.__rendered || null")
                if first_render_ms:
                    break
                await asyncio.sleep(0.1)
            await page.evaluate(MEASURE)
            sent = await browse_at(crowd, ORIGIN, rate, seconds)
            await asyncio.sleep(1)
            bench = await page.evaluate("() => ((window.__bench.stop = true), window.__bench)")
            rows = await page.evaluate("() => document.querySelectorAll('.vt-item').length")
            await browser.close()
    finally:
        await close_all(crowd)
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    load = os.getloadavg()[0]
    frames = bench["frames"][1:]
    longs = bench["long"]
    return {
        "visitors": visitors,
        "rows": rows,
        "rate": rate,
        "seconds": seconds,
        "sent": sent,
        "connect_s": connect_s,
        "list_ms": list_ms,
        "first_render_ms": first_render_ms,
        "frames": len(frames),
        "fps": len(frames) / (seconds + 1),
        "p50": percentile(frames, 50),
        "p95": percentile(frames, 95),
        "p99": percentile(frames, 99),
        "max": max(frames),
        "slow": sum(1 for f in frames if f > 50),
        "long_n": len(longs),
        "long_ms": sum(longs),
        "long_max": max(longs, default=0.0),
        "load": load,
        "cores": os.cpu_count() or 1,
    }


def write(result: dict[str, object]) -> None:
    r = result
    n = r["visitors"]
    lines = [
        START,
        f"Measured {date.today().isoformat()} on {platform.machine()}, CPython "
        f"{platform.python_version()}, embedded stores, headless Chromium "
        f"(`bench/visitors_browser.py`). The server, the {n} client sockets and Chromium "
        f"share {r['cores']} cores; the 1-minute load average was {r['load']:.1f} at the end "
        "of the run (other work shared the machine), so these are upper bounds.",
        "",
        f"{n} visitors online (each a socket with an address placed by GeoIP, a fingerprint "
        f"and a landing page), then {r['rate']:.0f} page views a second for "
        f"{r['seconds']:.0f} s ({r['sent']} page views, each a `visitor_updated` for the "
        "dashboard).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| `list_visitors` with {n} online (median of 5) | {r['list_ms']:.0f} ms |",
        f"| dashboard load until all {r['rows']} rows are in the DOM | "
        f"{r['first_render_ms']:.0f} ms |",
        f"| frames drawn during the updates | {r['frames']} ({r['fps']:.0f} per second) |",
        f"| frame interval p50 / p95 / p99 / max | {r['p50']:.1f} / {r['p95']:.1f} / "
        f"{r['p99']:.1f} / {r['max']:.0f} ms |",
        f"| frames slower than 50 ms | {r['slow']} |",
        f"| long tasks (> 50 ms) during the updates | {r['long_n']}, {r['long_ms']:.0f} ms "
        f"in all, longest {r['long_max']:.0f} ms |",
        END,
    ]
    block = "\n".join(lines)
    text = DOC.read_text()
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## The Visitors view under load\n\n" + block + "\n"
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.visitors, args.rate, args.seconds))
    for key, value in result.items():
        print(f"{key:>16}: {value:.1f}" if isinstance(value, float) else f"{key:>16}: {value}")
    if not args.no_write:
        write(result)


if __name__ == "__main__":
    main()
