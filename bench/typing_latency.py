"""Typing preview latency: N visitors type at once, one agent watches the ghost text.

Each visitor sends a preview every 100 ms (the widget's pace) with its draft growing by a
word; latency is measured from the visitor's emit to the agent's `visitor_typing_preview`
event, both on this machine's clock. Traffic goes to 127.0.0.1 only; every loop is bounded.

The clients are raw WebSockets speaking just enough Socket.IO (bench/raw_socket.py), in a
process of their own: 200 python-socketio clients in one process cost more CPU than the
server they measure, and their own event loop's lag was most of the latency they reported
(``--sio-clients`` runs them for comparison).

A preview that a newer one of the same visitor overtook before it was sent is superseded:
the agent's ghost text shows the newer draft. The figures count those apart, give the
latency of the previews shown, and the ghost text's lag: for every preview offered, the
time until it or a newer one of its visitor reached the agent.

    python -m bench.typing_latency             # print the figures
    python -m bench.typing_latency --write     # and rewrite them in docs/benchmarks.md
    python -m bench.typing_latency --visitors 50 --bare   # beside the bare relay
    python -m bench.typing_latency --profile typing.raw   # py-spy records the server
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import socketio

from bench.load_client import agent_token, percentile
from bench.proc import cpu_seconds
from bench.raw_socket import keep_alive, open_visitor
from bench.server_process import bare_server, product_server

ORIGIN = "http://bench.test"
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- typing:start -->", "<!-- typing:end -->"
WORDS = ["please", "could", "you", "tell", "me", "whether", "the", "tent", "ships", "to", "oslo"]
AGENT_PREFIX = '42/agent,["visitor_typing_preview",'
DRAIN_S = 10.0


def run_typing_latency(
    visitors: int = 200,
    previews_each: int = 20,
    gap_s: float = 0.1,
    *,
    bare: bool = False,
    sio_clients: bool = False,
    profile: Path | None = None,
) -> dict[str, Any]:
    load = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory() as tmp,
        _target(Path(tmp), bare) as target,
        _recording(target.pid, profile),
    ):
        measure = _measure_sio if sio_clients else _measure
        figures = asyncio.run(
            measure(target.url, target.site_key, target.pid, visitors, previews_each, gap_s)
        )
    return {
        **figures,
        "server": target.name,
        "clients": "python-socketio" if sio_clients else "raw WebSocket",
        "load_before": load,
        "load_after": os.getloadavg()[0],
        "cpus": os.cpu_count() or 1,
    }


@contextmanager
def _target(data_dir: Path, bare: bool) -> Iterator[Any]:
    if bare:
        with bare_server() as target:
            yield target
    else:
        with product_server(data_dir, ORIGIN, "embedded") as target:
            yield target


@contextmanager
def _recording(pid: int, out: Path | None) -> Iterator[None]:
    """py-spy records the server's GIL-holding thread while the clients type."""
    if out is None:
        yield
        return
    beside = Path(sys.executable).with_name("py-spy")
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed")
    command = [py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200"]
    command += ["--output", str(out), "--nonblocking", "--gil"]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on an interrupt
        recorder.wait(30)


class Tally:
    """Emits and arrivals by (visitor, seq): what was shown, superseded, or lost."""

    def __init__(self, visitors: int, each: int) -> None:
        self.each = each
        self.sent_at = [[0.0] * (each + 1) for _ in range(visitors)]
        self.arrived_at = [[0.0] * (each + 1) for _ in range(visitors)]
        self.arrivals = 0
        self.total = visitors * each
        self.done = asyncio.Event()

    def sent(self, visitor: int, seq: int) -> None:
        self.sent_at[visitor][seq] = time.perf_counter()

    def arrived(self, visitor: int, seq: int) -> None:
        row = self.arrived_at[visitor]
        if 0 < seq <= self.each and not row[seq]:
            row[seq] = time.perf_counter()
            self.arrivals += 1
            if seq == self.each and all(r[self.each] for r in self.arrived_at):
                self.done.set()

    def figures(self) -> dict[str, float]:
        shown: list[float] = []
        later: list[float] = []  # shown, but not the first of its burst (no lookup to wait for)
        lag: list[float] = []  # until this preview or a newer one of its visitor arrived
        superseded = lost = 0
        for sent_row, arrived_row in zip(self.sent_at, self.arrived_at, strict=True):
            next_arrival = 0.0
            for seq in range(self.each, 0, -1):
                sent, arrived = sent_row[seq], arrived_row[seq]
                if arrived:
                    shown.append(arrived - sent)
                    if seq > 1:
                        later.append(arrived - sent)
                    next_arrival = arrived if not next_arrival else min(next_arrival, arrived)
                    lag.append(next_arrival - sent)
                elif next_arrival:
                    superseded += 1
                    lag.append(next_arrival - sent)
                else:
                    lost += 1
        return {
            "previews": self.total,
            "shown": len(shown),
            "superseded": superseded,
            "lost": lost,
            "p50_ms": percentile(shown, 0.50) * 1000,
            "p99_ms": percentile(shown, 0.99) * 1000,
            "max_ms": max(shown, default=float("nan")) * 1000,
            "later_p99_ms": percentile(later, 0.99) * 1000,
            "lag_p50_ms": percentile(lag, 0.50) * 1000,
            "lag_p99_ms": percentile(lag, 0.99) * 1000,
        }


def _parse(draft: str) -> tuple[int, int] | None:
    """``"visitor 12: please could (2)"`` → (12, 2)."""
    head, _, rest = draft.partition(":")
    _, _, seq = rest.rpartition("(")
    try:
        return int(head.removeprefix("visitor ")), int(seq.rstrip(")"))
    except ValueError:
        return None


def _draft(visitor: int, seq: int) -> str:
    words = " ".join(WORDS[n % len(WORDS)] for n in range(1, seq + 1))
    return f"visitor {visitor}: {words} ({seq})"


async def _measure(
    url: str, site_key: str, pid: int, visitors: int, each: int, gap_s: float
) -> dict[str, float]:
    tally = Tally(visitors, each)
    ws_url = url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
    token = await agent_token(url)
    # Without a limit: aiohttp's default of 100 connections would hold the 101st visitor.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        agent = await http.ws_connect(ws_url, autoping=True)
        await agent.receive_str(timeout=30)  # Engine.IO's opening
        await agent.send_str("40/agent," + orjson.dumps({"token": token} if token else {}).decode())

        async def watch() -> None:
            async for message in agent:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = message.data
                if data == "2":
                    await agent.send_str("3")
                elif data.startswith(AGENT_PREFIX):
                    found = _parse(orjson.loads(data[len(AGENT_PREFIX) : -1]).get("text") or "")
                    if found is not None:
                        tally.arrived(*found)

        watcher = asyncio.create_task(watch())
        sockets: list[aiohttp.ClientWebSocketResponse] = []
        gate = asyncio.Semaphore(20)

        async def connect(n: int) -> None:
            auth = {"site_key": site_key, "page": {"url": f"{ORIGIN}/p/{n}"}}
            async with gate:
                ws, _session = await open_visitor(http, url, auth, {"Origin": ORIGIN})
            sockets.append(ws)

        await asyncio.gather(*(connect(n) for n in range(visitors)))
        readers = [asyncio.create_task(keep_alive(ws)) for ws in sockets]

        async def typist(index: int, ws: aiohttp.ClientWebSocketResponse, start: float) -> None:
            for seq in range(1, each + 1):
                await asyncio.sleep(max(0.0, start + (seq - 1) * gap_s - time.perf_counter()))
                payload = orjson.dumps(["typing_preview", {"text": _draft(index, seq), "seq": seq}])
                tally.sent(index, seq)
                await ws.send_str("42/visitor," + payload.decode())

        cpu_before, client_before = cpu_seconds(pid), time.process_time()
        began = time.perf_counter() + 0.05
        await asyncio.gather(
            *(typist(i, ws, began + i * gap_s / visitors) for i, ws in enumerate(sockets))
        )
        typing_seconds = time.perf_counter() - began
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tally.done.wait(), timeout=DRAIN_S)
        server_cpu = cpu_seconds(pid) - cpu_before
        client_cpu = time.process_time() - client_before
        for task in [*readers, watcher]:  # readers first: a close waits for a reader's turn
            task.cancel()
        await asyncio.gather(*readers, watcher, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in [*sockets, agent]), return_exceptions=True)
    return {
        "visitors": visitors,
        "offered_per_s": tally.total / typing_seconds,
        "server_cpu_ms": server_cpu / tally.total * 1000,
        "client_cpu_ms": client_cpu / tally.total * 1000,
        **tally.figures(),
    }


async def _measure_sio(
    url: str, site_key: str, pid: int, visitors: int, each: int, gap_s: float
) -> dict[str, float]:
    """The same load from python-socketio clients, all in this process (the old harness)."""
    tally = Tally(visitors, each)
    agent_client = socketio.AsyncClient(reconnection=False)

    async def on_preview(preview: dict) -> None:
        found = _parse(preview.get("text") or "")
        if found is not None:
            tally.arrived(*found)

    agent_client.on("visitor_typing_preview", on_preview, namespace="/agent")
    token = await agent_token(url)
    await agent_client.connect(
        url, namespaces=["/agent"], auth={"token": token} if token else {}, transports=["websocket"]
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
        await asyncio.sleep(index * gap_s / visitors)
        for seq in range(1, each + 1):
            tally.sent(index, seq)
            await client.emit(
                "typing_preview", {"text": _draft(index, seq), "seq": seq}, namespace="/visitor"
            )
            await asyncio.sleep(gap_s)

    cpu_before, client_before = cpu_seconds(pid), time.process_time()
    began = time.perf_counter()
    await asyncio.gather(*(typist(i, c) for i, c in enumerate(clients)))
    typing_seconds = time.perf_counter() - began
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(tally.done.wait(), timeout=DRAIN_S)
    server_cpu = cpu_seconds(pid) - cpu_before
    client_cpu = time.process_time() - client_before
    for client in clients:
        await client.disconnect()
    await agent_client.disconnect()
    return {
        "visitors": visitors,
        "offered_per_s": tally.total / typing_seconds,
        "server_cpu_ms": server_cpu / tally.total * 1000,
        "client_cpu_ms": client_cpu / tally.total * 1000,
        **tally.figures(),
    }


def render(figures: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Measured {date.today().isoformat()} on {platform.machine()}, "
            f"{platform.python_implementation()} {platform.python_version()}, embedded stores; "
            f"the server in one process, the clients ({figures['clients']}) in another; "
            f"{figures['cpus']:.0f} CPUs, load average {figures['load_before']:.1f} when it "
            f"started, {figures['load_after']:.1f} when it ended.",
            "",
            f"{figures['visitors']:.0f} visitors type at once, each sending a preview every "
            f"100 ms ({figures['previews'] / figures['visitors']:.0f} each, the widget's pace); "
            "one agent receives them.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| previews offered per second | {figures['offered_per_s']:.0f} |",
            f"| previews shown to the agent | {figures['shown']:.0f} of "
            f"{figures['previews']:.0f} ({figures['superseded']:.0f} superseded by a newer "
            f"draft, {figures['lost']:.0f} lost) |",
            f"| visitor emit → agent event, p50 | {figures['p50_ms']:.1f} ms |",
            f"| visitor emit → agent event, p99 | {figures['p99_ms']:.1f} ms |",
            f"| visitor emit → agent event, max | {figures['max_ms']:.1f} ms |",
            f"| same, p99 without each visitor's first preview | "
            f"{figures['later_p99_ms']:.1f} ms |",
            f"| ghost text's lag (until this draft or a newer one shows), p99 | "
            f"{figures['lag_p99_ms']:.1f} ms |",
            f"| server CPU per preview | {figures['server_cpu_ms']:.2f} ms |",
        ]
    )


def one_line(figures: dict[str, Any]) -> str:
    return (
        f"{figures['server']}, {figures['clients']} clients: {figures['offered_per_s']:.0f}/s "
        f"offered, {figures['shown']:.0f} shown, {figures['superseded']:.0f} superseded, "
        f"{figures['lost']:.0f} lost; p50 {figures['p50_ms']:.1f} ms, p99 "
        f"{figures['p99_ms']:.1f} ms (after the first {figures['later_p99_ms']:.1f} ms), "
        f"lag p99 {figures['lag_p99_ms']:.1f} ms; CPU per preview "
        f"server {figures['server_cpu_ms']:.3f} ms, clients {figures['client_cpu_ms']:.3f} ms; "
        f"load {figures['load_before']:.1f} → {figures['load_after']:.1f}"
    )


def main() -> None:
    argv = sys.argv
    visitors = int(argv[argv.index("--visitors") + 1]) if "--visitors" in argv else 200
    profile = Path(argv[argv.index("--profile") + 1]) if "--profile" in argv else None
    figures = run_typing_latency(
        visitors, bare="--bare" in argv, sio_clients="--sio-clients" in argv, profile=profile
    )
    print(one_line(figures))
    if "--write" in argv and not figures["server"].startswith("bare"):
        block = render(figures)
        print(block)
        text = DOC.read_text()
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        DOC.write_text(pattern.sub(lambda _: f"{START}\n{block}\n{END}", text))
    if profile is not None:
        from bench.profile import categories, top

        print(top(profile))
        for name, share in categories(profile):
            print(f"{share:5.1f} %  {name}")


if __name__ == "__main__":
    main()
