"""/metrics: parsed with the Prometheus client's own parser, moving with real traffic."""

from __future__ import annotations

import asyncio
import ipaddress

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.keys import webhooks_key
from tests.support.apps import make_settings
from tests.webhooks.conftest import FAST, settled


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(scraped, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(base_url: str, **headers: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{base_url}/metrics", headers=headers) as r,
    ):
        return r.status, await r.text()


@pytest.fixture
async def app_settings(tmp_path, sql_template):
    return make_settings(tmp_path, sql_template, **FAST)


async def test_the_counters_move_with_traffic(
    app, server, base_url, tenant_a, visitor_of, receiver
):
    status, text = await scrape(base_url)
    assert status == 200
    before = samples(text)
    endpoint = await app[webhooks_key].create(
        tenant_a.site.id, {"url": receiver.url, "events": ["message.created"]}
    )

    visitor = await visitor_of(tenant_a)
    for n in range(3):
        assert (await visitor.call("send_message", {"client_id": f"c{n}", "text": f"hi {n}"}))["ok"]
    await settled(app, tenant_a.site.id, endpoint.id, 3)

    status, text = await scrape(base_url)
    after = samples(text)
    grew = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert grew("porchlight_messages_total", author="visitor") == 3
    assert grew("porchlight_messages_total", author="agent") == 0
    assert value(after, "porchlight_connected_clients", role="visitor") == 1
    assert value(after, "porchlight_connected_clients", role="agent") == 0
    assert grew("porchlight_event_seconds_count", event="visitor.send_message") == 3
    assert grew("porchlight_event_seconds_bucket", event="visitor.send_message", le="10.0") == 3
    assert grew("porchlight_store_seconds_count", operation="append_from_visitor") == 3
    assert grew("porchlight_webhook_deliveries_total", outcome="delivered") == 3
    assert grew("porchlight_webhook_delivery_seconds_count") == 3
    assert ("porchlight_webhook_queue_depth", ()) in after
    assert grew("porchlight_domain_events_total", event="message.created") == 3
    assert (
        value(
            after,
            "porchlight_http_request_seconds_count",
            method="GET",
            route="/metrics",
            status="200",
        )
        >= 1
    )

    await visitor.close()
    await asyncio.sleep(0.2)
    _, text = await scrape(base_url)
    assert value(samples(text), "porchlight_connected_clients", role="visitor") == 0


async def test_metrics_need_the_token_when_one_is_set(tmp_path, sql_template, aiohttp_server):
    settings = make_settings(tmp_path, sql_template, metrics_token="scrape-me")
    server = await aiohttp_server(create_app(settings))
    base_url = str(server.make_url("")).rstrip("/")
    assert (await scrape(base_url))[0] == 403
    assert (await scrape(base_url, Authorization="Bearer wrong"))[0] == 403
    status, text = await scrape(base_url, Authorization="Bearer scrape-me")
    assert status == 200 and "porchlight_messages_total" in text


async def test_metrics_only_from_allowed_addresses(tmp_path, sql_template, aiohttp_server):
    settings = make_settings(
        tmp_path,
        sql_template,
        metrics_allow=(ipaddress.ip_network("10.0.0.0/8"),),
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
    )
    server = await aiohttp_server(create_app(settings))
    base_url = str(server.make_url("")).rstrip("/")
    assert (await scrape(base_url))[0] == 403  # this machine is not in the list
    assert (await scrape(base_url, **{"X-Forwarded-For": "192.0.2.7"}))[0] == 403
    assert (await scrape(base_url, **{"X-Forwarded-For": "10.2.3.4"}))[0] == 200


async def test_without_settings_only_this_machine_may_scrape(
    tmp_path, sql_template, aiohttp_server
):
    settings = make_settings(
        tmp_path, sql_template, trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),)
    )
    server = await aiohttp_server(create_app(settings))
    base_url = str(server.make_url("")).rstrip("/")
    assert (await scrape(base_url))[0] == 200
    assert (await scrape(base_url, **{"X-Forwarded-For": "203.0.113.9"}))[0] == 403
