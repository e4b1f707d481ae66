"""Where the server's time goes: py-spy records the server process while clients load it.

    python -m bench.profile messages --store embedded --rate 200 --seconds 15
    python -m bench.profile connects --store redis --count 600
    python -m bench.profile idle --count 1000          # connects, then list_visitors

Needs py-spy (``pip install py-spy``; it reads another process's stacks, so it may need
root or ptrace permission). Samples only the thread holding the GIL (``--gil``), so the
shares are of the Python CPU time, not of time spent waiting. Writes py-spy's raw collapsed
stacks and prints the frames with the most samples (own and total, as shares of all).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from bench.load_client import ORIGIN, measure_connects, measure_idle, measure_messages
from bench.server_process import product_server


def top(raw: Path, limit: int = 25) -> str:
    """py-spy's raw (collapsed) stacks → the heaviest frames, own and total."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        samples += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    lines = [f"{samples} samples", "", "own %  frame"]
    lines += [f"{c / samples * 100:5.1f}  {f}" for f, c in own.most_common(limit)]
    lines += ["", "total %  frame"]
    lines += [f"{c / samples * 100:5.1f}  {f}" for f, c in total.most_common(limit)]
    return "\n".join(lines)


# Where a sample goes: the first rule whose words all appear in its stack.
CATEGORIES = [
    ("SQL database (SQLAlchemy, aiosqlite): sites, blocks, agents", ("sqlalchemy",)),
    ("SQL database (SQLAlchemy, aiosqlite): sites, blocks, agents", ("aiosqlite",)),
    ("SQL database (SQLAlchemy, aiosqlite): sites, blocks, agents", ("greenlet",)),
    ("message store: SQLite statements and rows (lane thread)", ("SqliteLane._execute",)),
    ("message store: hand-off to the lane thread and back", ("sqlite_lane",)),
    ("message store: MongoDB driver", ("pymongo",)),
    ("Redis: cache commands and Socket.IO fan-out", ("redis/",)),
    ("emits to agents and visitors (encode, send)", ("broadcaster",)),
    ("Porchlight handlers and services", ("server/",)),
    ("Socket.IO and Engine.IO: receive, decode, dispatch, ack", ("socketio/",)),
    ("Socket.IO and Engine.IO: receive, decode, dispatch, ack", ("engineio/",)),
    ("aiohttp: HTTP and WebSocket frames", ("aiohttp/",)),
    ("asyncio event loop: wake-ups, callbacks, select", ("asyncio/",)),
]


def categories(raw: Path) -> list[tuple[str, float]]:
    """Shares of the samples by what they were doing (CATEGORIES), largest first."""
    counts: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples += int(count)
        name = next(
            (name for name, words in CATEGORIES if all(w in stack for w in words)),
            "other (stack not resolved, threads, garbage collection)",
        )
        counts[name] += int(count)
    return [(name, n / samples * 100) for name, n in counts.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["messages", "connects", "idle"])
    parser.add_argument("--store", default="embedded", choices=["embedded", "redis", "mongo"])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--out", type=Path, default=Path("profile.raw"))
    parser.add_argument("--samples", type=int, default=200, help="samples a second")
    parser.add_argument(
        "--threads", action="store_true", help="every running thread, not only the GIL's"
    )
    options = parser.parse_args()
    beside = Path(sys.executable).with_name("py-spy")
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed")
    with (
        tempfile.TemporaryDirectory() as tmp,
        product_server(Path(tmp), ORIGIN, options.store) as target,
        ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool,
    ):
        recorder = subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(target.pid),
                "--format",
                "raw",
                "--rate",
                str(options.samples),
                "--output",
                str(options.out),
                "--nonblocking",
                *([] if options.threads else ["--gil"]),
            ],
            stdout=subprocess.DEVNULL,
        )
        args = (target.url, target.site_key, target.pid)
        if options.phase == "messages":
            plan = {
                "visitors": 100,
                "each": 5,
                "rates": [options.rate],
                "seconds": options.seconds,
                "overload": [],
                "overload_seconds": 0,
            }
            result = pool.submit(measure_messages, *args, plan).result()
        elif options.phase == "connects":
            result = pool.submit(measure_connects, *args, options.count, 10).result()
        else:
            result = pool.submit(measure_idle, *args, options.count).result()
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on an interrupt
        recorder.wait(30)
    print(result)
    print(top(options.out))
    print()
    for name, share in categories(options.out):
        print(f"{share:5.1f} %  {name}")


if __name__ == "__main__":
    main()
