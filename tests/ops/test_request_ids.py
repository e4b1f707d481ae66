"""X-Request-ID: kept or made, returned, and on every log line of its request or event."""

from __future__ import annotations

import json
import logging
import re

import aiohttp
import pytest

from server.logs import JsonFormatter, TextFormatter
from server.request_ids import RequestIdFilter

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
async def app_settings(embedded_settings):
    return embedded_settings


@pytest.fixture
def records(caplog):
    """Log records as the ``porchlight`` command's handler sees them (request id stamped)."""
    stamp = RequestIdFilter()
    caplog.handler.addFilter(stamp)
    caplog.set_level(logging.DEBUG, logger="porchlight")
    yield caplog
    caplog.handler.removeFilter(stamp)


async def get(base_url: str, path: str, **headers: str) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as http, http.get(base_url + path, headers=headers) as r:
        await r.read()
        return r


async def test_a_plain_id_is_kept_and_on_the_request_log_line(server, base_url, records):
    response = await get(base_url, "/readyz", **{"X-Request-ID": "lb-7f3a:42"})
    assert response.headers["X-Request-ID"] == "lb-7f3a:42"
    [line] = [r for r in records.records if r.name == "porchlight.access"]
    assert line.request_id == "lb-7f3a:42"
    assert json.loads(JsonFormatter().format(line))["request_id"] == "lb-7f3a:42"
    assert TextFormatter().format(line).endswith(" request_id=lb-7f3a:42")


@pytest.mark.parametrize("given", ["", "two words", "x" * 129, "id\\nforged log line", "é"])
async def test_an_unfit_id_is_replaced(server, base_url, records, given):
    response = await get(base_url, "/healthz", **({"X-Request-ID": given} if given else {}))
    made = response.headers["X-Request-ID"]
    assert GENERATED.fullmatch(made)
    [line] = [r for r in records.records if r.name == "porchlight.access"]
    assert line.request_id == made


async def test_errors_carry_the_id_and_each_request_gets_its_own(server, base_url, records):
    first = await get(base_url, "/no/such/page")
    second = await get(base_url, "/api/v1/sites/1/conversations")
    assert (first.status, second.status) == (404, 401)
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(GENERATED.fullmatch(i) for i in ids) and ids[0] != ids[1]
    logged = [r.request_id for r in records.records if r.name == "porchlight.access"]
    assert logged == ids


async def test_each_socket_event_logs_under_an_id_of_its_own(server, tenant_a, visitor_of, records):
    visitor = await visitor_of(tenant_a)
    for n in range(2):
        assert (await visitor.call("send_message", {"client_id": f"c{n}", "text": "hi"}))["ok"]
    await visitor.close()
    events = [r for r in records.records if r.name == "porchlight.events"]
    sends = [r for r in events if r.fields["name"] == "send_message"]
    assert len(sends) == 2
    assert all(r.fields["namespace"] == "/visitor" for r in sends)
    ids = [r.request_id for r in events]
    assert all(GENERATED.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)  # connect, two sends, disconnect: one id each
    entry = json.loads(JsonFormatter().format(sends[0]))
    assert entry["request_id"] == sends[0].request_id
    assert entry["event"] == "socket_event" and entry["name"] == "send_message"
