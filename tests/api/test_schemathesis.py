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
from urllib.parse import urlencode

import aiohttp
import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from server.keys import console_key
from tests.realtime.conftest import login_token
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
    directory = tmp_path_factory.mktemp("schemathesis")
    # The console's webhook endpoint is on this machine (nothing listens there).
    app = create_app(make_settings(directory, sql_template, webhooks_allow_private=True))
    with LiveServer(app) as server:
        yield server.run(_seed(server))


async def _seed(server: LiveServer) -> dict[str, Any]:
    tenant = await seed_tenant(server.app, "Acme", [SHOP])
    _, key = await server.app[console_key].api_keys.generate(tenant.site.id, "primary")
    sent = await _visitor_writes(server.url, tenant.site.site_key, SHOP)
    conversation_id = sent["message"]["conversation_id"]
    key_headers = {"Authorization": f"Bearer {key}"}
    reply = await _post(server.url, f"/api/v1/conversations/{conversation_id}/messages",
                        key_headers, {"text": "hi"})  # fmt: skip
    # The console is exercised by the owner of a second site, so nothing it does (revoking
    # keys, erasing, blocking) touches the site the API key works on.
    console = await seed_tenant(server.app, "Console", ["http://console.test"])
    owner = {"Authorization": f"Bearer {await login_token(server.url, console.email)}"}
    site = f"/api/v1/sites/{console.site.id}"
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["message.created"]}
    made = [
        await _post(server.url, f"{site}/replies", owner, {"shortcut": "hi", "text": "Hello!"}),
        await _post(server.url, f"{site}/tags", owner, {"name": "billing", "color": "#2563eb"}),
        await _post(server.url, f"{site}/blocks", owner, {"kind": "country", "value": "FR"}),
        await _post(server.url, f"{site}/invites", owner, {"email": "new@console.test"}),
        await _post(server.url, f"{site}/webhooks", owner, hook),
    ]
    endpoint = f"{site}/webhooks/{made[4]['endpoint']['id']}"
    delivery = await _post(server.url, f"{endpoint}/test", owner, None)
    visitor = await _visitor_writes(server.url, console.site.site_key, "http://console.test")
    return {
        "url": server.url,
        "headers": key_headers,
        "ids": {
            "site_id": tenant.site.id,
            "conversation_id": conversation_id,
            "visitor_id": sent["message"]["author"]["id"],
            "message_id": reply["message"]["id"],
        },
        "console_headers": owner,
        "console_ids": {
            "site_id": console.site.id,
            "agent_id": console.agent.id,
            "reply_id": made[0]["reply"]["id"],
            "tag_id": made[1]["tag"]["id"],
            "block_id": made[2]["block"]["id"],
            "invite_id": made[3]["invite"]["id"],
            "endpoint_id": made[4]["endpoint"]["id"],
            "delivery_id": delivery["delivery"]["id"],
            "visitor_id": visitor["message"]["author"]["id"],
        },
    }


async def _visitor_writes(url: str, site_key: str, origin: str) -> dict[str, Any]:
    widget = RecordingClient("/visitor")
    await widget.connect(
        url, {"site_key": site_key, "page": {"url": f"{origin}/"}}, {"Origin": origin}
    )
    await widget.next("session")
    sent = await widget.call("send_message", {"client_id": "v-1", "text": "hello"})
    await widget.close()
    return sent


async def _post(url: str, path: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + path, json=body, headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
        return await response.json()


def _caller(operation: Any, live: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The owner of the console's site for the console and the account; the API key else
    (and for signing out, which would end the owner's session)."""
    tags = operation.definition.raw.get("tags", [])
    if ("console" in tags or "account" in tags) and "logout" not in operation.path:
        return live["console_headers"], live["console_ids"]
    return live["headers"], live["ids"]


def test_the_api_keeps_to_its_document(live):
    schema = schemathesis.openapi.from_url(f"{live['url']}/api/openapi.json")
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    unbreakable: set[str] = set()
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
            except Unsatisfiable:  # nothing to break (no parameters, no body): nothing to do
                unbreakable.add(name)
                continue
            except (Exception, BaseExceptionGroup) as error:  # each operation's first failure
                failures.append(f"{name} ({mode}): {error}")
    assert not failures, "\n\n".join(failures)
    # The checks saw real answers: every operation succeeded at least once, and refused.
    # Some need what random requests rarely hold: a password, an image, the site's name to
    # confirm its deletion, a tag the site defines, an endpoint not yet deleted by the run.
    never_ok = [name for name, statuses in answered.items() if 200 not in statuses]
    assert len(never_ok) <= len(operations) // 4, never_ok
    never_refused = [n for n, got in answered.items() if got == {200} and n not in unbreakable]
    assert not never_refused, never_refused


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
        # A request line past aiohttp's 8 KB limit is refused by the HTTP parser itself
        # (a plain-text 400), before the API: not a case of the document.
        assume(len(case.formatted_path) + len(urlencode(case.query or {}, doseq=True)) < 7000)
        headers, ids = _caller(operation, live)
        if real and case.path_parameters:
            for name, value in ids.items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
        response = case.call_and_validate(base_url=live["url"], headers=headers, checks=CHECKS)
        statuses.add(response.status_code)

    check()
