"""Typing preview latency: N visitors type at once, one agent watches the ghost text.

Each visitor sends a preview every 100 ms (the widget's pace) with its draft growing by a
word; latency is measured from the visitor's emit to the agent's `visitor_typing_preview`
event, both on this machine's clock. Traffic goes to 127.0.0.1 only; every loop is bounded.

    python -m bench.typing_latency             # print the figures
    python -m bench.typing_latency --write     # and rewrite them in docs/benchmarks.md
    python -m bench.typing_latency --visitors 50
"""

from __future__ import annotations

import asyncio
import contextlib
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
import socketio

from bench.server_process import BENCH_EMAIL, BENCH_PASSWORD, server_process

ORIGIN = "http://bench.test"
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- typing:start -->", "<!-- typing:end -->"
WORDS = ["please", "could", "you", "tell", "me", "whether", "the", "tent", "ships", "to", "oslo"]


def run_typing_latency(
    visitors: int = 200, previews_each: int = 20, gap_s: float = 0.1
) -> dict[str, float]:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, server_process(Path(tmp), ORIGIN) as (url, key):
        figures = asyncio.run(_measure(url, key, visitors, previews_each, gap_s))
    return {**figures, "load_before": load, "cpus": os.cpu_count() or 1}


async def _measure(
    url: str, site_key: str, visitors: int, each: int, gap_s: float
) -> dict[str, float]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{url}/api/v1/auth/login", json={"email": BENCH_EMAIL, "password": BENCH_PASSWORD}
        ) as response,
    ):
        token = (await response.json())["token"]

    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    total = visitors * each
    last_event = asyncio.Event()

    agent_client = socketio.AsyncClient(reconnection=False)

    async def on_preview(preview: dict) -> None:
        started = sent_at.pop(preview.get("text") or "", None)
        if started is not None:
            latencies.append(time.perf_counter() - started)
            if len(latencies) >= total:
                last_event.set()

    agent_client.on("visitor_typing_preview", on_preview, namespace="/agent")
    await agent_client.connect(
        url, namespaces=["/agent"], auth={"token": token}, transports=["websocket"]
    )

    clients = []
    for n in range(visitors):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            url,
            namespaces=["/visitor"],
            auth={"site_key": site_key, "page": {"url": f"{ORIGIN}/p/{n}"}},
            headers={"Origin": ORIGIN},
            transports=["websocket"],
        )
        clients.append(client)

    async def typist(index: int, client: socketio.AsyncClient) -> None:
        await asyncio.sleep(index * gap_s / visitors)  # spread the typists over one gap
        draft = f"visitor {index}:"
        for seq in range(1, each + 1):
            draft += " " + WORDS[seq % len(WORDS)]
            text = f"{draft} ({seq})"
            sent_at[text] = time.perf_counter()
            await client.emit("typing_preview", {"text": text, "seq": seq}, namespace="/visitor")
            await asyncio.sleep(gap_s)

    started = time.perf_counter()
    await asyncio.gather(*(typist(i, c) for i, c in enumerate(clients)))
    typing_seconds = time.perf_counter() - started
    # Previews that never arrive were dropped (overtaken or over the rate limit).
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(last_event.wait(), timeout=10)

    for client in clients:
        await client.disconnect()
    await agent_client.disconnect()
    latencies.sort()
    shown = len(latencies)
    return {
        "visitors": visitors,
        "previews": total,
        "offered_per_s": total / typing_seconds,
        "shown": shown,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[max(0, int(shown * 0.99) - 1)] * 1000 if latencies else float("nan"),
        "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
    }


def render(figures: dict[str, float]) -> str:
    return "\n".join(
        [
            f"Measured {date.today().isoformat()} on {platform.machine()}, "
            f"{platform.python_implementation()} {platform.python_version()}, embedded stores; "
            f"the server in one process, the clients in another; {figures['cpus']:.0f} CPUs, "
            f"load average {figures['load_before']:.1f} when it started.",
            "",
            f"{figures['visitors']:.0f} visitors type at once, each sending a preview every "
            f"100 ms ({figures['previews'] / figures['visitors']:.0f} each, the widget's pace); "
            "one agent receives them.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| previews offered per second | {figures['offered_per_s']:.0f} |",
            f"| previews shown to the agent | {figures['shown']:.0f} of "
            f"{figures['previews']:.0f} |",
            f"| visitor emit → agent event, p50 | {figures['p50_ms']:.1f} ms |",
            f"| visitor emit → agent event, p99 | {figures['p99_ms']:.1f} ms |",
            f"| visitor emit → agent event, max | {figures['max_ms']:.1f} ms |",
        ]
    )


def main() -> None:
    visitors = int(sys.argv[sys.argv.index("--visitors") + 1]) if "--visitors" in sys.argv else 200
    figures = render(run_typing_latency(visitors))
    print(figures)
    if "--write" in sys.argv:
        text = DOC.read_text()
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        DOC.write_text(pattern.sub(lambda _: f"{START}\n{figures}\n{END}", text))


if __name__ == "__main__":
    main()
