"""Where an idle visitor socket's memory goes: RSS, Python allocations and objects per socket.

    python -m bench.socket_memory [--server product|bare] [--sockets 1000] [--deflate]
                                  [--trace] [--top 25]

Starts the server in a child process, connects ``--sockets`` raw WebSocket visitors (as
the idle phase of ``bench.ab`` does) from this process, and prints what one socket added:
resident memory, objects by type (from the garbage collector) and, with ``--trace``,
Python allocations by file and line (tracemalloc, which slows the server and adds its own
memory, so RSS is not read in that mode).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.load_client import ORIGIN, raise_open_files, widget_auth
from bench.proc import rss_bytes
from bench.raw_socket import keep_alive, open_visitor
from bench.visitors_load import located_addresses

DUMP_DIR_ENV = "PORCHLIGHT_MEMORY_DUMP_DIR"


def _install_dump(dump_dir: str) -> None:
    """In the server: on SIGUSR1, write objects by type (and a tracemalloc snapshot)."""
    import tracemalloc

    counter = iter(range(1_000_000))

    def dump(*_: object) -> None:
        n = next(counter)
        gc.collect()
        counts = collections.Counter(type(o).__qualname__ for o in gc.get_objects())
        Path(dump_dir, f"objects-{n}.json").write_text(json.dumps(counts))
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(str(Path(dump_dir, f"trace-{n}.snap")))
        Path(dump_dir, f"done-{n}").touch()

    signal.signal(signal.SIGUSR1, dump)


def _serve_product(data_dir: str, port: int, origin: str, ready) -> None:
    from bench.server_process import _serve

    _install_dump(os.environ[DUMP_DIR_ENV])
    _serve(data_dir, port, origin, ready, {"trusted_proxies": ["127.0.0.1/32"]})


def _serve_bare(port: int, ready) -> None:
    from bench.bare_relay import serve

    _install_dump(os.environ[DUMP_DIR_ENV])
    serve(port, ready)


def memory_by_kind(pid: int, verbose_files: bool = False) -> dict[str, int]:
    """Resident bytes by kind of mapping: the main heap (glibc malloc), 1 MiB anonymous
    maps (CPython's object arenas), the heaps of other threads (glibc arenas, reserved in
    64 MiB), other anonymous maps (large buffers), and files (code, SQLite's mmap)."""
    kinds: collections.Counter[str] = collections.Counter()
    kind = "other"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
            start, end = (int(x, 16) for x in head[0].split("-"))
            size, name = end - start, head[5] if len(head) > 5 else ""
            if name == "[heap]":
                kind = "main heap (malloc)"
            elif name.startswith("/"):
                kind = "file " + Path(name).name if verbose_files else "files"
            elif name:
                kind = "other"
            elif size == 1 << 20:
                kind = "object arenas (pymalloc)"
            elif start % (64 << 20) == 0:
                kind = "thread heaps (malloc)"
            else:
                kind = "other anonymous"
        elif head[0] == "Rss:":
            kinds[kind] += int(head[1]) * 1024
    return dict(kinds)


async def _snapshot(pid: int, dump_dir: Path, n: int) -> dict[str, int]:
    os.kill(pid, signal.SIGUSR1)
    done = dump_dir / f"done-{n}"
    while not done.exists():  # noqa: ASYNC110 (written by the other process)
        await asyncio.sleep(0.1)
    return json.loads((dump_dir / f"objects-{n}.json").read_text())


async def _hold(url: str, site_key: str, pid: int, count: int, deflate: bool, dump_dir: Path):
    places = located_addresses(40)
    held, keepers = [], []
    gate = asyncio.Semaphore(50)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def one(n: int) -> None:
            auth, headers = widget_auth(n, site_key, places)
            async with gate:
                ws, _ = await open_visitor(http, url, auth, headers, deflate=deflate)
                held.append(ws)
                keepers.append(asyncio.create_task(keep_alive(ws)))

        await asyncio.gather(*(one(n) for n in range(20)))
        await asyncio.sleep(1)
        kinds_before, rss_before = memory_by_kind(pid), rss_bytes(pid)
        before = await _snapshot(pid, dump_dir, 0)
        await asyncio.gather(*(one(n) for n in range(20, 20 + count)))
        await asyncio.sleep(2)
        kinds_after, rss_after = memory_by_kind(pid), rss_bytes(pid)
        after = await _snapshot(pid, dump_dir, 1)
        for task in keepers:
            task.cancel()
        for ws in held:
            await ws.close()
    kinds = {k: (kinds_after.get(k, 0) - kinds_before.get(k, 0)) / count for k in kinds_after}
    return before, after, (rss_after - rss_before) / count, kinds


def _report(
    before: dict,
    after: dict,
    per_socket_rss: float,
    kinds: dict,
    count: int,
    dump_dir: Path,
    top: int,
):
    print(f"RSS per socket: {per_socket_rss / 1024:.1f} KB over {count} sockets")
    for kind, each in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"  {each / 1024:6.1f} KB  {kind}")
    grown = {k: (after.get(k, 0) - before.get(k, 0)) / count for k in after}
    print("objects per socket (gc-tracked, > 0.05):")
    for name, each in sorted(grown.items(), key=lambda kv: -kv[1]):
        if each > 0.05:
            print(f"  {each:6.2f}  {name}")
    first, last = dump_dir / "trace-0.snap", dump_dir / "trace-1.snap"
    if not (first.exists() and last.exists()):
        return
    import tracemalloc

    old, new = tracemalloc.Snapshot.load(str(first)), tracemalloc.Snapshot.load(str(last))
    for key in ("filename", "lineno"):
        stats = new.compare_to(old, key)
        total = sum(s.size_diff for s in stats)
        print(f"\nPython allocations per socket by {key}: {total / count / 1024:.1f} KB in all")
        for s in stats[:top]:
            if s.size_diff <= 0:
                continue
            where = s.traceback[0]
            name = where.filename.split("site-packages/")[-1].replace(str(Path.cwd()) + "/", "")
            print(
                f"  {s.size_diff / count:8.0f} B {s.count_diff / count:6.2f} blocks  "
                f"{name}:{where.lineno if key == 'lineno' else ''}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("product", "bare"), default="product")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    parser.add_argument("--trace", action="store_true", help="tracemalloc in the server")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    raise_open_files()
    from bench.server_process import _child, free_port

    with tempfile.TemporaryDirectory() as tmp:
        dump_dir = Path(tmp, "dumps")
        dump_dir.mkdir()
        os.environ[DUMP_DIR_ENV] = str(dump_dir)
        if args.trace:
            os.environ["PYTHONTRACEMALLOC"] = "1"
        port = free_port()
        if args.server == "bare":
            child, child_args, site_key = _serve_bare, (port,), "bare"
        else:
            child, child_args = _serve_product, (tmp, port, ORIGIN)
        with _child(child, child_args, timeout=120) as pid:
            if args.server == "product":
                site_key = json.loads(Path(tmp, "site.json").read_text())["site_key"]
            started = time.perf_counter()
            before, after, per_socket, kinds = asyncio.run(
                _hold(
                    f"http://127.0.0.1:{port}", site_key, pid, args.sockets, args.deflate, dump_dir
                )
            )
            print(f"{args.server}, {args.sockets} sockets in {time.perf_counter() - started:.0f} s")
            _report(before, after, per_socket, kinds, args.sockets, dump_dir, args.top)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
