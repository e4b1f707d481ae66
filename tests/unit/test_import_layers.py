"""Imports run one way: app → {http, realtime} → services → storage → domain.

A module may import its own layer or any layer below it, never one above, and the two
front doors (HTTP and the sockets) never import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"

# Layer of each top-level name under server/; a higher number sits above.
LAYERS = {
    "domain": 0,
    "settings": 0,
    "rate_limit_rules": 0,
    "request_ids": 0,
    "storage": 1,
    "services": 2,
    "http": 3,
    "realtime": 3,
    "keys": 3,  # the typed app keys the HTTP handlers read their services by
}
APP = 4  # create_app, the command line and everything else that composes the layers
SIBLINGS = {frozenset({"http", "realtime"})}


def top_name(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if parts[0] == "server" and len(parts) > 1 else None


def imports_of(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_no_module_imports_a_layer_above_its_own() -> None:
    wrong = []
    for path in sorted(SERVER.rglob("*.py")):
        own = path.relative_to(SERVER).parts[0].removesuffix(".py")
        own_layer = LAYERS.get(own, APP)
        for name in imports_of(path):
            other = top_name(name)
            if other is None or other == own:
                continue
            if LAYERS.get(other, APP) > own_layer or frozenset({own, other}) in SIBLINGS:
                wrong.append(f"{path.relative_to(SERVER.parent)} imports {name}")
    assert wrong == []


# The message store's packages under server/storage/: the message store takes in the
# contracts of reports, the outbox and search; none of those imports the message store or
# one another. Modules directly under storage/ (the SQLite lane, Mongo batches) sit below.
STORE_PACKAGES = {"reports": 1, "outbox": 1, "search": 1, "messages": 2}


def store_package(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[2] if parts[:2] == ["server", "storage"] and len(parts) > 2 else None


def test_store_packages_import_one_way() -> None:
    wrong = []
    storage = SERVER / "storage"
    for path in sorted(storage.rglob("*.py")):
        own = path.relative_to(storage).parts[0]
        own_rank = STORE_PACKAGES.get(own, 0)  # sql/ and the flat modules: below them all
        for name in imports_of(path):
            other = store_package(name)
            if other is None or other == own or other not in STORE_PACKAGES:
                continue
            if STORE_PACKAGES[other] >= own_rank:
                wrong.append(f"{path.relative_to(SERVER.parent)} imports {name}")
    assert wrong == []


def test_services_know_nothing_of_the_web_server_or_the_sockets() -> None:
    """aiohttp's client may send webhooks; its server side and Socket.IO stay out."""
    wrong = []
    for path in sorted((SERVER / "services").rglob("*.py")):
        named = path.relative_to(SERVER.parent)
        wrong += [
            f"{named} imports {name}"
            for name in imports_of(path)
            if name.startswith("aiohttp.web") or name.split(".")[0] in {"socketio", "engineio"}
        ]
        if "aiohttp.web" in path.read_text(encoding="utf-8"):
            wrong.append(f"{named} uses aiohttp.web")
    assert wrong == []
