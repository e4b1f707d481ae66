"""The A/B bench: the bare python-socketio relay and Porchlight on each store combination,
measured in one run, servers in their own processes, clients in another.

    python -m bench.ab             # full run (a few minutes), prints the figures
    python -m bench.ab --quick     # shorter steps, 1,000 idle sockets, one pair per store
    python -m bench.ab --write     # and rewrite the block in docs/benchmarks.md
    python -m bench.ab --overload embedded [--sustained 750]   # only the open loop and
        # 2x/10x on one store (no bare relay, connects or idle sockets); a given rate
        # skips the ladder
    python -m bench.ab --refusals 6000 3000   # the server's CPU per busy answer alone
    python -m bench.ab --stores mongo --pairs 2 --no-idle   # only those pairs, then stop
    python -m bench.ab --idle-only [--against TREE] [--pairs 2]   # only the idle sockets;
        # with another checkout, its server and this one's alternate in each pair
    python -m bench.ab --compare TREE --rates 900,1400 [--store embedded] [--pairs 3]
        # two builds of the product alone, alternating: the closed loop, then every rate
        # for 6 s whatever the step before showed (CPU per message and goodput, no ratios)

Runs alternate bare, product, bare, product... so a noisy neighbour shows up as a bare run
that differs from its sibling; each product run is compared with the bare run just before
it. Nothing here is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.load_client import ORIGIN, measure_connects, measure_idle, measure_messages
from bench.server_process import Target, bare_server, product_server


@dataclass(frozen=True)
class Plan:
    rates: tuple[float, ...]
    seconds: float
    order: tuple[str, ...]
    connects: int
    idle: int
    visitors: int = 100
    each: int = 5
    overload: tuple[int, ...] = (2, 10)
    overload_seconds: float = 4
    connect_parallel: int = 10
    typing_visitors: int = 200


# Up to where the bare relay stops holding on two cores (3,000-4,000 msg/s), so its rate is
# measured rather than the ladder's top step; about 1.25x apart where the stores stop.
FULL = Plan(
    rates=(
        50,
        100,
        200,
        300,
        400,
        500,
        600,
        750,
        1000,
        1250,
        1500,
        2000,
        2500,
        3000,
        3500,
        4000,
        5000,
        6000,
    ),
    seconds=3,
    order=("embedded", "redis", "mongo", "embedded"),
    connects=300,
    idle=10_000,
)
QUICK = Plan(
    rates=(50, 100, 250, 500, 1000, 2000, 4000),
    seconds=2,
    order=("embedded", "redis", "mongo"),
    connects=150,
    idle=1_000,
)


@contextmanager
def start(name: str):
    if name == "bare":
        with bare_server() as target:
            yield target
        return
    with tempfile.TemporaryDirectory() as tmp, product_server(Path(tmp), ORIGIN, name) as target:
        yield target


def measure(pool: ProcessPoolExecutor, target: Target, plan: Plan, overload: bool) -> dict:
    """Messages (closed loop, open-loop ladder, overload), then connects, on one server."""
    messages_plan = {
        "visitors": plan.visitors,
        "each": plan.each,
        "rates": list(plan.rates),
        "seconds": plan.seconds,
        "overload": list(plan.overload) if overload else [],
        "overload_seconds": plan.overload_seconds,
    }
    args = (target.url, target.site_key, target.pid)
    messages = pool.submit(measure_messages, *args, messages_plan, target.db_pid).result()
    connects = pool.submit(measure_connects, *args, plan.connects, plan.connect_parallel).result()
    return {"name": target.name, "load": os.getloadavg()[0], **messages, "connects": connects}


RAW = Path(tempfile.gettempdir()) / "porchlight-bench-ab.json"


def _save(path: Path | None, partial: dict[str, Any]) -> None:
    """Each phase's figures as they come, so a run cut short keeps what it measured."""
    if path is not None:
        path.write_text(json.dumps(partial, default=str, indent=1))


# (server, offer permessage-deflate as browsers do)
IDLE_ROWS = (("bare", False), ("embedded", False), ("embedded", True))


def run(plan: Plan, log=print, save: Path | None = None) -> dict[str, Any]:
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    pairs: list[tuple[dict, dict]] = []
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        for store in plan.order:
            runs = []
            for name in ("bare", store):
                with start(name) as target:
                    log(f"… {target.name}: messages and connects (load {os.getloadavg()[0]:.1f})")
                    runs.append(measure(pool, target, plan, overload=name != "bare"))
                log(one_line(runs[-1]))
            pairs.append((runs[0], runs[1]))
            _save(save, {"pairs": pairs})
        idle = {}
        for name, deflate in IDLE_ROWS if plan.idle else ():
            with start(name) as target:
                log(f"… {target.name}: {plan.idle:,} idle sockets{' (deflate)' if deflate else ''}")
                row = pool.submit(
                    measure_idle, target.url, target.site_key, target.pid, plan.idle, 1000, deflate
                ).result()
                idle[f"{name} deflate" if deflate else name] = row
                log(f"   {row}")
                _save(save, {"pairs": pairs, "idle": idle})
    typing = None
    if plan.typing_visitors:
        log(f"… typing previews, {plan.typing_visitors} visitors")
        from bench.typing_latency import run_typing_latency

        typing = run_typing_latency(plan.typing_visitors)
    return {
        "started": started,
        "seconds": (datetime.now(UTC) - started).total_seconds(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "plan": plan,
        "pairs": pairs,
        "idle": idle,
        "typing": typing,
    }


def _step_cpu(s: dict) -> str:
    db = s.get("db_cpu_ms_per_message")
    return f"{s['cpu_ms_per_message']:.2f}" + (f"+{db:.2f}" if db is not None else "")


def one_line(r: dict) -> str:
    c = r["closed"]
    return (
        f"   {r['name']}: closed {c['throughput']:.0f} msg/s p50 {c['p50_ms']:.0f} "
        f"({c.get('busy_retries', 0)} busy sent again, {c['failed']} failed) "
        f"p99 {c['p99_ms']:.0f} ms, {c['cpu_ms_per_message']:.2f} ms CPU/msg; "
        f"sustained {r['sustained']:g} msg/s; "
        + " ".join(
            f"[{s['offered']:g}: {s['delivered_per_s']:.0f}/s p99 {s['p99_ms']:.0f} "
            f"busy {s['busy']} failed {s['failed']} CPU {_step_cpu(s)}]"
            for s in r["ladder"] + r["overload"]
        )
        + f"; connects {r['connects']['per_s']:.0f}/s "
        f"({r['connects']['cpu_ms_per_connect']:.1f} ms CPU)"
    )


# --- the report -------------------------------------------------------------------------

TARGETS = {"embedded": 1 / 3, "redis": 1 / 4, "mongo": 1 / 4}
STORES = {
    "embedded": "embedded (SQLite, in-process cache)",
    "redis": "SQLite + Redis",
    "mongo": "MongoDB wire server + in-process cache",
}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def _range(values: list[float], fmt: str = "{:.0f}") -> str:
    values = [v for v in values if v == v]
    if not values:
        return "-"
    low, high = min(values), max(values)
    return (
        fmt.format(low)
        if fmt.format(low) == fmt.format(high)
        else (f"{fmt.format(low)}-{fmt.format(high)}")
    )


def pairs_lines(result: dict[str, Any]) -> list[str]:
    """The header, and the message and connect tables of every pair."""
    plan: Plan = result["plan"]
    pairs = result["pairs"]
    lb, la = result["load_before"], result["load_after"]
    lines = [
        f"Measured {result['started']:%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared), {platform.python_implementation()} "
        f"{platform.python_version()}; servers in their own processes, clients in another. "
        f"Load average (1/5/15 min) {lb[0]:.1f}/{lb[1]:.1f}/{lb[2]:.1f} at the start, "
        f"{la[0]:.1f}/{la[1]:.1f}/{la[2]:.1f} at the end; the run took "
        f"{result['seconds'] / 60:.1f} min. Each product run is paired with the bare relay "
        "run just before it; ratios are product ÷ bare within a pair.",
        "",
        f"Open loop: {plan.visitors} visitors share the offered rate, each step lasts "
        f"{plan.seconds:g} s; rates tried {', '.join(f'{r:g}' for r in plan.rates)} msg/s, "
        "stopping at the first step that is not sustained (p99 ≥ 250 ms or a message not "
        "delivered). Busy = told to retry (the widget does); failed = an error ack or none.",
        "",
        "| pair | server | load | closed loop msg/s | p50 / p99 ms | CPU ms/msg | "
        "sustained msg/s | ratio | connects/s | ratio | CPU ms/connect |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, (bare, product) in enumerate(pairs, 1):
        for r in (bare, product):
            c, k = r["closed"], r["connects"]
            is_bare = r is bare
            lines.append(
                f"| {n} | {'bare relay' if is_bare else STORES[r['name']]} "
                f"| {r['load']:.1f} | {c['throughput']:.0f}{_retried(c)} "
                f"| {c['p50_ms']:.0f} / {c['p99_ms']:.0f} | {_cpu(c)} "
                f"| {r['sustained']:g} "
                f"| {'' if is_bare else _ratio(r['sustained'], bare['sustained'])} "
                f"| {k['per_s']:.0f} "
                f"| {'' if is_bare else _ratio(k['per_s'], bare['connects']['per_s'])} "
                f"| {k['cpu_ms_per_connect']:.1f} |"
            )
    lines += [
        "",
        "Open-loop steps (offered msg/s → delivered per second, p99, busy, failed); at 2x and "
        f"10x the sustained rate ({plan.overload_seconds:g} s each), goodput is the messages "
        "delivered while the load was offered, per second:",
        "",
        "| pair | server | " + " | ".join(f"{r:g}" for r in plan.rates) + " | 2x | 10x |",
        "|---|---|" + "---|" * (len(plan.rates) + 2),
    ]
    for n, (bare, product) in enumerate(pairs, 1):
        for r in (bare, product):
            by_rate = {s["offered"]: s for s in r["ladder"]}
            cells = []
            for rate in plan.rates:
                s = by_rate.get(rate)
                cells.append(_step(s) if s else "")
            for factor in (2, 10):
                s = next((o for o in r["overload"] if o["factor"] == factor), None)
                cells.append(_overload(s) if s else "")
            name = "bare relay" if r is bare else STORES[r["name"]]
            lines.append(f"| {n} | {name} | " + " | ".join(cells) + " |")
    return lines


def render(result: dict[str, Any]) -> str:
    lines = pairs_lines(result)
    idle, typing = result["idle"], result["typing"]
    lines += [
        "",
        "Idle sockets (one server process, raw WebSocket clients in another; connecting stops "
        "after 5 minutes, so fewer than wanted means the machine was too busy to connect "
        "them all in that time):",
        "",
    ]
    lines += [
        "| server | sockets held | RSS per socket (private + file pages) "
        "| list_visitors, 1,000 online |"
    ]
    lines += ["|---|---|---|---|"]
    for key, figures in idle.items():
        name = key.removesuffix(" deflate")
        server = "bare relay" if name == "bare" else STORES[name]
        if figures.get("deflate"):
            server += ", clients offering permessage-deflate"
        listing = (
            f"{figures['list_visitors_ms']:.0f} ms ({figures['listed']} listed)"
            if figures.get("list_visitors_ms") is not None
            else "-"
        )
        split = (
            f" ({figures['anon_per_socket_kb']:.1f} + {figures['file_per_socket_kb']:.1f})"
            if "anon_per_socket_kb" in figures
            else ""
        )
        lines.append(
            f"| {server} | {figures['held']:,} of {figures['wanted']:,} "
            f"(in {figures['connect_s']:.0f} s) "
            f"| {figures['rss_per_socket_kb']:.1f} KB{split} "
            f"| {listing} |"
        )
    lines += [
        "",
        f"Typing previews (embedded): {typing['visitors']:.0f} visitors at the widget's pace, "
        f"{typing['shown']:.0f} of {typing['previews']:.0f} shown, p50 "
        f"{typing['p50_ms']:.1f} ms, p99 {typing['p99_ms']:.1f} ms (load average "
        f"{typing['load_before']:.1f} when it started).",
        "",
        *targets_table(result),
    ]
    return "\n".join(lines)


def _retried(closed: dict) -> str:
    """Busy acks the closed loop sent again after their retry_after (the widget does)."""
    n = closed.get("busy_retries", 0)
    return f" ({n} busy, sent again)" if n else ""


def _cpu(closed: dict) -> str:
    """The server's CPU per message, and the database server's where the bench runs it."""
    own = f"{closed['cpu_ms_per_message']:.2f}"
    db = closed.get("db_cpu_ms_per_message")
    return own if db is None else f"{own} (+{db:.2f} wire server)"


def _step(s: dict) -> str:
    return (
        f"{s['delivered_per_s']:.0f}/s, {s['p99_ms']:.0f} ms"
        + (f", {s['busy']} busy" if s["busy"] else "")
        + (f", {s['failed']} failed" if s["failed"] else "")
    )


def _overload(s: dict) -> str:
    return (
        f"{s['offered']:g} offered ({s['offered_actual']:.0f} sent/s): goodput "
        f"{s['goodput_per_s']:.0f}/s, {s['busy']} busy, {s['failed']} failed"
    )


def targets_table(result: dict[str, Any]) -> list[str]:
    pairs, idle, typing = result["pairs"], result["idle"], result["typing"]
    rows = []

    def row(target: str, measured: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else "met" if met else "not met"
        rows.append(f"| {target} | {measured} | {verdict} |")

    for store, share in TARGETS.items():
        ratios = [
            p["sustained"] / b["sustained"]
            for b, p in pairs
            if p["name"] == store and b["sustained"]
        ]
        # A relay that held the ladder's top step was not measured: its ratio is a ceiling.
        capped = any(
            b["sustained"] >= max(result["plan"].rates) for b, p in pairs if p["name"] == store
        )
        unmeasured = [p for b, p in pairs if p["name"] == store and not b["sustained"]]
        if unmeasured and not ratios:
            row(
                f"{STORES[store]}: sustained rate ≥ 1/{round(1 / share)} of the bare "
                "relay's at p99 < 250 ms",
                "no ratio: the bare relay itself sustained no step in this run "
                f"(product: {', '.join(format(p['sustained'], 'g') for p in unmeasured)} msg/s)",
                None,
            )
        if ratios:
            row(
                f"{STORES[store]}: sustained rate ≥ 1/{round(1 / share)} of the bare "
                "relay's at p99 < 250 ms",
                f"{_range(ratios, '{:.2f}')} of the bare relay's"
                + (" at most (the relay held the ladder's top step)" if capped else ""),
                None if capped and min(ratios) >= share else min(ratios) >= share,
            )
    cpu = [p["closed"]["cpu_ms_per_message"] for _, p in pairs if p["name"] == "embedded"]
    if cpu:
        row(
            "CPU per message ≤ 1.5 ms (embedded, closed loop)",
            f"{_range(cpu, '{:.2f}')} ms",
            max(cpu) <= 1.5,
        )
    for factor in (2, 10):
        shares = [
            o["goodput_per_s"] / p["sustained"]
            for _, p in pairs
            for o in p["overload"]
            if o["factor"] == factor and p["sustained"]
        ]
        if shares:
            row(
                f"goodput at {factor}x the sustainable rate ≥ 90 % of it (all stores)",
                f"{_range([s * 100 for s in shares])} %",
                min(shares) >= 0.9,
            )
    connect_ratios = [
        p["connects"]["per_s"] / b["connects"]["per_s"] for b, p in pairs if b["connects"]["per_s"]
    ]
    if connect_ratios:
        row(
            "connects ≥ 1/2 of the bare relay's rate (all stores)",
            f"{_range(connect_ratios, '{:.2f}')}",
            min(connect_ratios) >= 0.5,
        )
    product_idle = idle.get("embedded", {})
    if product_idle:
        # Browsers offer permessage-deflate: the worse of the two rows is the figure.
        browser = idle.get("embedded deflate", {})
        kb = max(product_idle["rss_per_socket_kb"], browser.get("rss_per_socket_kb", 0))
        row(f"idle socket ≤ 30 KB RSS ({product_idle['held']:,} held)", f"{kb:.1f} KB", kb <= 30)
        ms = product_idle.get("list_visitors_ms")
        if ms is not None:
            row("list_visitors for 1,000 online < 100 ms", f"{ms:.0f} ms", ms < 100)
    row(
        "typing previews, 200 visitors, p99 < 100 ms",
        f"{typing['p99_ms']:.0f} ms",
        typing["p99_ms"] < 100,
    )
    return ["| target | measured | |", "|---|---|---|", *rows]


def refusals_only(count: int, rate: float, log=print) -> dict:
    """The server's CPU per busy answer, nothing else (``load_client._refusals``)."""
    load_before = os.getloadavg()
    with (
        ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool,
        tempfile.TemporaryDirectory() as tmp,
        product_server(Path(tmp), ORIGIN, "embedded") as target,
    ):
        plan = {"visitors": 100, "each": 1, "refusals": (count, rate)}
        plan["messages_db"] = str(Path(tmp) / "messages.db")
        args = (target.url, target.site_key, target.pid, plan)
        r = pool.submit(measure_messages, *args).result()["refusals"]
    log(
        f"refusals: load {load_before[0]:.1f} → {os.getloadavg()[0]:.1f}; {r['sent']} sent at "
        f"{r['sent_per_s']:.0f}/s, {r['busy']} busy, {r['other']} otherwise; server CPU "
        f"{r['cpu_s']:.2f} s, {r['us_per_refusal']:.1f} µs per refusal"
    )
    return r


def overload_only(store: str, plan: Plan, sustained: float | None, log=print) -> dict:
    """The closed loop, the open-loop ladder (or one step at ``sustained``) and 2x/10x on
    one store."""
    messages_plan = {
        "visitors": plan.visitors,
        "each": plan.each,
        "rates": list(plan.rates),
        "seconds": plan.seconds,
        "overload": list(plan.overload),
        "overload_seconds": plan.overload_seconds,
        "sustained": sustained,
    }
    load_before = os.getloadavg()
    with (
        ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool,
        start(store) as target,
    ):
        args = (target.url, target.site_key, target.pid, messages_plan, target.db_pid)
        result = pool.submit(measure_messages, *args).result()
    load_after = os.getloadavg()
    base = next((s for s in result["ladder"] if s["offered"] == result["sustained"]), None)
    admitted_ms = base["cpu_s"] * 1000 / max(1, base["delivered"]) if base else float("nan")
    log(
        f"{store}: load {load_before[0]:.1f} → {load_after[0]:.1f}; sustained "
        f"{result['sustained']:g} msg/s at {admitted_ms:.2f} ms CPU per message"
    )
    for s in result["overload"]:
        log(
            f"  {s['factor']}x: {s['offered']:g} offered ({s['offered_actual']:.0f} sent/s) "
            f"goodput {s['goodput_per_s']:.0f}/s "
            f"({s['goodput_per_s'] / result['sustained']:.0%}), {s['busy']} busy, "
            f"{s['failed']} failed, p50 {s['p50_ms']:.0f} ms; server CPU {s['cpu_s']:.2f} s"
        )
    return {**result, "load_before": load_before, "load_after": load_after}


@contextmanager
def _code_from(tree: str | None):
    """Servers started inside run ``tree``'s code (they are spawned with this sys.path)."""
    if tree is None:
        yield
        return
    import sys

    sys.path.insert(0, str(Path(tree).resolve()))
    try:
        yield
    finally:
        sys.path.remove(str(Path(tree).resolve()))


def idle_only(plan: Plan, against: str | None, pairs: int, log=print) -> None:
    """The idle phase alone: the bare relay once, then this tree's server with and without
    deflate offered, alternating with ``against``'s in each pair."""
    arms = (("before", against), ("after", None)) if against else (("this", None),)
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:

        def held(name: str, deflate: bool) -> dict:
            with start(name) as target:
                return pool.submit(
                    measure_idle, target.url, target.site_key, target.pid, plan.idle, 1000, deflate
                ).result()

        for name, deflate in IDLE_ROWS:
            rounds = 1 if name == "bare" else pairs
            for n in range(rounds):
                for arm, tree in arms if name != "bare" else (("bare", None),):
                    with _code_from(tree):
                        row = held(name, deflate)
                    log(
                        f"{name}{' deflate' if deflate else ''} {arm} #{n + 1}: "
                        f"{row['rss_per_socket_kb']:.1f} KB/socket "
                        f"({row['anon_per_socket_kb']:.1f} private + "
                        f"{row['file_per_socket_kb']:.1f} file) over {row['held']:,} held, "
                        f"load {os.getloadavg()[0]:.1f}"
                    )


def compare(
    store: str, rates: list[float], against: str, pairs: int, seconds: float = 6, log=print
) -> None:
    """This checkout's server and ``against``'s, alternating, ``pairs`` times: the same
    messages on each, so that a change shows beside the noise of the machine."""
    plan = {
        "visitors": 100,
        "each": 5,
        "rates": rates,
        "seconds": seconds,
        "overload": [],
        "overload_seconds": 0,
        "every_step": True,
    }
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        for n in range(pairs):
            for arm, tree in (("before", against), ("after", None)):
                load = os.getloadavg()[0]
                with _code_from(tree), start(store) as target:
                    result = pool.submit(
                        measure_messages, target.url, target.site_key, target.pid, plan
                    ).result()
                closed = result["closed"]
                steps = "; ".join(
                    f"{s['offered']:.0f}: {s['goodput_per_s']:,.0f}/s, p99 {s['p99_ms']:.0f} ms, "
                    f"{s['busy']} busy, {s['cpu_ms_per_message']:.2f} ms CPU/msg"
                    for s in result["ladder"]
                )
                log(
                    f"{store} {arm} #{n + 1} (load {load:.1f}): closed "
                    f"{closed['throughput']:,.0f} msg/s, {closed['cpu_ms_per_message']:.2f} ms "
                    f"CPU/msg; {steps}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--overload", choices=STORES)
    parser.add_argument("--sustained", type=float, help="with --overload: skip the ladder")
    parser.add_argument(
        "--refusals", type=float, nargs=2, metavar=("COUNT", "RATE"), help="CPU per busy answer"
    )
    parser.add_argument(
        "--stores", help="pair the bare relay with only these stores (comma-separated)"
    )
    parser.add_argument(
        "--pairs", type=int, default=1, help="with --stores, --idle-only or --compare: pairs"
    )
    parser.add_argument(
        "--no-idle", action="store_true", help="leave out idle sockets and typing previews"
    )
    parser.add_argument("--idle-only", action="store_true", help="only the idle sockets")
    parser.add_argument("--against", help="with --idle-only: another checkout to alternate with")
    parser.add_argument("--compare", metavar="TREE", help="this build against TREE's")
    parser.add_argument("--rates", default="900,1400", help="with --compare: msg/s (a,b,...)")
    parser.add_argument("--store", default="embedded", choices=STORES)
    options = parser.parse_args()
    plan = QUICK if options.quick else FULL
    if options.stores:
        plan = replace(plan, order=tuple(options.stores.split(",")) * options.pairs)
    if options.no_idle:
        plan = replace(plan, idle=0, typing_visitors=0)
    began = time.perf_counter()
    if options.compare:
        rates = [float(rate) for rate in options.rates.split(",")]
        compare(options.store, rates, options.compare, options.pairs)
        print(f"({time.perf_counter() - began:.0f} s)")
        return
    if options.idle_only:
        idle_only(plan, options.against, options.pairs)
        print(f"({time.perf_counter() - began:.0f} s)")
        return
    if options.refusals:
        refusals_only(int(options.refusals[0]), options.refusals[1])
        return
    if options.overload:
        plan = QUICK if options.quick else FULL
        overload_only(options.overload, plan, options.sustained)
        print(f"({time.perf_counter() - began:.0f} s)")
        return
    result = run(plan, save=RAW)
    if options.no_idle:  # nothing for the block in docs/benchmarks.md
        print("\n".join(pairs_lines(result)))
        return
    figures = render(result)
    print(figures)
    print(f"({time.perf_counter() - began:.0f} s)")
    if options.write:
        from bench.run import write_block

        write_block("ab", figures)


if __name__ == "__main__":
    main()
