"""A process's CPU time and resident memory, read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_bytes(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE


def rss_anon_file(pid: int) -> tuple[int, int]:
    """Resident memory split: private anonymous (the heap, Python's objects) and file
    pages mapped in (code, and data files read through mmap such as the GeoIP database:
    shared with the page cache, and given back under memory pressure)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (
        int(fields["RssAnon"].split()[0]) * 1024,
        (int(fields["RssFile"].split()[0]) + int(fields["RssShmem"].split()[0])) * 1024,
    )
