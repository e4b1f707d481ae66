"""schemathesis against the served OpenAPI document: for every operation, requests that
follow the document and requests that break it. The server must never fail (5xx), and
every answer must be one the document lists, with that answer's schema and content type.

The server runs in a thread on a real port (schemathesis calls it over HTTP with
requests); half the generated cases are pointed at a real site and conversation, so the
successful answers are checked too, not only the errors.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from server.keys import console_key
from tests.support.apps import make_settings, seed_tenant
from tests.support.sockets import RecordingClient

SHOP = "http://shop.test"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 8}


class LiveServer:
    """The app on its own event loop in a thread, for a synchronous HTTP client."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner = web.AppRunner(app)
        self.url = ""

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        self.run(self._start())
        return self

    async def _start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.run(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory, sql_template) -> Iterator[dict[str, Any]]:
    app = create_app(make_settings(tmp_path_factory.mktemp("schemathesis"), sql_template))
    with LiveServer(app) as server:
        yield server.run(_seed(server))


async def _seed(server: LiveServer) -> dict[str, Any]:
    tenant = await seed_tenant(server.app, "Acme", [SHOP])
    _, key = await server.app[console_key].api_keys.generate(tenant.site.id, "primary")
    widget = RecordingClient("/visitor")
    auth = {"site_key": tenant.site.site_key, "page": {"url": f"{SHOP}/tents"}}
    await widget.connect(server.url, auth, {"Origin": SHOP})
    await widget.next("session")
    sent = await widget.call("send_message", {"client_id": "v-1", "text": "hello"})
    await widget.close()
    return {
        "url": server.url,
        "headers": {"Authorization": f"Bearer {key}"},
        "ids": {
            "site_id": tenant.site.id,
            "conversation_id": sent["message"]["conversation_id"],
            "visitor_id": sent["message"]["author"]["id"],
        },
    }


def test_the_api_keeps_to_its_document(live):
    schema = schemathesis.openapi.from_url(f"{live['url']}/api/openapi.json")
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Erasing the seeded visitor goes last: every other operation still finds them.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    assert len(operations) >= 16
    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"
        statuses = answered.setdefault(name, set())
        for mode, examples in EXAMPLES.items():
            try:
                _exercise(operation, mode, examples, live, statuses)
            except (Exception, BaseExceptionGroup) as error:  # each operation's first failure
                failures.append(f"{name} ({mode}): {error}")
    assert not failures, "\n\n".join(failures)
    # The checks saw real answers: every operation succeeded at least once, and refused.
    never_ok = [name for name, statuses in answered.items() if 200 not in statuses]
    assert len(never_ok) <= 3, never_ok  # assign and tags need an agent and a tag by chance
    assert all(statuses - {200} for statuses in answered.values()), answered


def _exercise(
    operation: Any, mode: GenerationMode, examples: int, live: dict[str, Any], statuses: set[int]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any, real: bool) -> None:
        if real and case.path_parameters:
            for name, value in live["ids"].items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
        response = case.call_and_validate(
            base_url=live["url"], headers=live["headers"], checks=CHECKS
        )
        statuses.add(response.status_code)

    check()
