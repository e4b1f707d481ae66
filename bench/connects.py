"""Page views alone: the A/B bench's connect phase, beside the bare relay, in rounds.

    python -m bench.connects                            # embedded store, 3 rounds
    python -m bench.connects --store redis --store mongo --rounds 4 --count 300
    python -m bench.connects --tree before=/path/to/other/checkout   # A/B two versions

Each round starts a fresh bare relay, then Porchlight from this checkout, then from each
``--tree`` (another checkout of the project, run with this Python), on each store in
turn, and measures the same connects on each (bench/load_client.py: half returning
visitors with their token, half new, 10 at a time): connects per second, server CPU per
connect from /proc, and with ``--departures`` the CPU of their departures. Every figure
is printed with the load average beside it; the ratio is to the bare relay of the round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.load_client import ORIGIN, measure_connects
from bench.server_process import STORES, Target, bare_server, product_server

# Run in another checkout: its own product_server, so its own server code.
_OTHER_TREE = """
import json, sys, tempfile
from pathlib import Path
from typing import Any
from bench.load_client import ORIGIN
from bench.server_process import product_server
with tempfile.TemporaryDirectory() as tmp, product_server(Path(tmp), ORIGIN, sys.argv[1]) as t:
    print(json.dumps([t.url, t.site_key, t.pid, t.db_pid]), flush=True)
    sys.stdin.read()
"""


@contextmanager
def start(tree: Path | None, store: str) -> Iterator[Target]:
    """Porchlight on ``store`` from this checkout (``tree`` None) or another one."""
    if tree is None:
        with tempfile.TemporaryDirectory() as tmp, product_server(Path(tmp), ORIGIN, store) as t:
            yield t
        return
    child = subprocess.Popen(
        [sys.executable, "-c", _OTHER_TREE, store],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url, site_key, pid, db_pid = json.loads(child.stdout.readline())
        yield Target(store, url, site_key, pid, db_pid)
    finally:
        child.stdin.close()
        child.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", action="append", choices=STORES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--parallel", type=int, default=10)
    parser.add_argument("--departures", action="store_true", help="their CPU too (+6 s a run)")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare relay")
    options = parser.parse_args()
    trees: list[tuple[str, Path | None]] = [("this", None)]
    trees += [(n, Path(p).resolve()) for n, p in (t.split("=", 1) for t in options.tree)]
    figures: dict[str, list[float]] = {}
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        for n in range(1, options.rounds + 1):
            for store in options.store or ["embedded"]:
                runs: list[tuple[str, Any]] = [] if options.no_bare else [("bare relay", None)]
                runs += [(f"{name} {store}", (tree, store)) for name, tree in trees]
                bare_rate = None
                for label, where in runs:
                    server = bare_server() if where is None else start(*where)
                    with server as target:
                        load = os.getloadavg()[0]
                        args = (target.url, target.site_key, target.pid, options.count)
                        r = pool.submit(
                            measure_connects, *args, options.parallel, options.departures
                        ).result()
                    if where is None:
                        bare_rate = r["per_s"]
                    ratio = f"{r['per_s'] / bare_rate:.2f}" if bare_rate else "-"
                    cpu = r["cpu_ms_per_connect"]
                    figures.setdefault(label, []).append(cpu)
                    departure = r.get("cpu_ms_per_departure")
                    print(
                        f"round {n} {label:22} load {load:4.1f}  {r['per_s']:6.0f}/s  "
                        f"ratio {ratio:>4}  CPU {cpu:.2f} ms/connect"
                        + (f"  {departure:.2f} ms/departure" if departure is not None else "")
                        + f"  p50 {r['p50_ms']:.0f} ms  refused {r['refused']}",
                        flush=True,
                    )
    print()
    for label, values in figures.items():
        print(
            f"{label:22} CPU ms/connect median {statistics.median(values):.2f} "
            f"({', '.join(f'{v:.2f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
