"""Raw and gzip -9 sizes of the committed front-end bundles."""

from __future__ import annotations

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"
WIDGET_BUDGET = 30 * 1024


def bundle_sizes() -> dict[str, tuple[int, int]]:
    sizes = {}
    for name in ("widget.js", "dashboard.js", "dashboard.css"):
        path = STATIC / name
        if path.exists():
            body = path.read_bytes()
            sizes[name] = (len(body), len(gzip.compress(body, 9)))
    return sizes
