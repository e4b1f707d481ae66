"""`make bench`: measure, print, and rewrite the figures in docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import platform
import re
from datetime import date
from pathlib import Path

from bench.chat_load import run_chat_load
from bench.sizes import WIDGET_BUDGET, bundle_sizes

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def render(sizes: dict[str, tuple[int, int]], load: dict[str, float]) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, embedded stores.",
        "",
        "| bundle | raw bytes | gzip -9 bytes |",
        "|---|---|---|",
    ]
    for name, (raw, gz) in sizes.items():
        budget = f" (budget {WIDGET_BUDGET})" if name == "widget.js" else ""
        lines.append(f"| `{name}` | {raw:,} | {gz:,}{budget} |")
    lines += [
        "",
        f"Chat load: {load['visitors']:.0f} visitors each send "
        f"{load['messages'] / load['visitors']:.0f} messages at once; one agent receives all.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| visitor connect (sequential, per visitor) | {load['connect_per_visitor_ms']:.1f} ms |",
        f"| messages stored and delivered per second | {load['throughput_msgs_per_s']:.0f} |",
        f"| visitor emit → agent event, p50 | {load['p50_ms']:.1f} ms |",
        f"| visitor emit → agent event, p99 | {load['p99_ms']:.1f} ms |",
    ]
    return "\n".join(lines)


def main() -> None:
    sizes = bundle_sizes()
    load = asyncio.run(run_chat_load())
    figures = render(sizes, load)
    print(figures)
    text = DOC.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    DOC.write_text(pattern.sub(f"{START}\n{figures}\n{END}", text))


if __name__ == "__main__":
    main()
