"""`make bench`: measure, print, and rewrite the figures in docs/benchmarks.md.

python -m bench.run            # bundle sizes, the full A/B run and the widget's paint
python -m bench.run --quick    # bundle sizes and a shorter A/B run
"""

from __future__ import annotations

import argparse
import platform
import re
from datetime import date
from pathlib import Path

from bench.ab import FULL, QUICK, RAW, render, run
from bench.sizes import BUDGETS, bundle_sizes
from bench.widget_paint import render as render_paint
from bench.widget_paint import run_widget_paint

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_block(name: str, figures: str) -> None:
    """Replace what stands between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = DOC.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"docs/benchmarks.md has no {start} … {end} block")
    DOC.write_text(pattern.sub(lambda _: f"{start}\n{figures}\n{end}", text))


def render_sizes(sizes: dict[str, tuple[int, int]]) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()}.",
        "",
        "| bundle | raw bytes | gzip -9 bytes |",
        "|---|---|---|",
    ]
    for name, (raw, gz) in sizes.items():
        budget = f" (budget {BUDGETS[name]})" if name in BUDGETS else ""
        lines.append(f"| `{name}` | {raw:,} | {gz:,}{budget} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="bundle sizes and the A/B bench")
    parser.add_argument("--quick", action="store_true", help="shorter steps, fewer sockets")
    options = parser.parse_args()
    sizes = render_sizes(bundle_sizes())
    print(sizes)
    write_block("figures", sizes)
    figures = render(run(QUICK if options.quick else FULL, save=RAW))
    print(figures)
    write_block("ab", figures)
    paint = render_paint(run_widget_paint(loads=5 if options.quick else 10))
    print(paint)
    write_block("paint", paint)


if __name__ == "__main__":
    main()
