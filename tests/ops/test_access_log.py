"""The request log: one line per request, the route template, never the URL's secrets."""

from __future__ import annotations

import ipaddress
import json
import logging

import aiohttp

from server.app import create_app
from server.logs import JsonFormatter
from tests.support.apps import make_settings


async def requests(base_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{base_url}/api/v1/sites/42/conversations?token=tok-SECRET&email=zoe@example.com",
            headers={"Authorization": "Bearer bearer-SECRET", "X-Forwarded-For": "198.51.100.4"},
        ) as response:
            assert response.status == 401
        async with http.get(f"{base_url}/no/such/page") as response:
            assert response.status == 404


async def test_one_text_line_per_request(tmp_path, sql_template, aiohttp_server, caplog):
    settings = make_settings(
        tmp_path, sql_template, trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),)
    )
    server = await aiohttp_server(create_app(settings))
    with caplog.at_level(logging.INFO, logger="porchlight.access"):
        await requests(str(server.make_url("")).rstrip("/"))
    lines = [r.getMessage() for r in caplog.records if r.name == "porchlight.access"]
    assert len(lines) == 2
    first, second = lines
    assert first.startswith("GET /api/v1/sites/{site_id}/conversations 401 ")
    assert first.endswith("ms 198.51.100.4")
    assert second.startswith("GET (no route) 404 ")
    assert "SECRET" not in "".join(lines) and "zoe@" not in "".join(lines)


async def test_json_lines(tmp_path, sql_template, aiohttp_server, caplog):
    settings = make_settings(tmp_path, sql_template, log_format="json")
    server = await aiohttp_server(create_app(settings))
    with caplog.at_level(logging.INFO, logger="porchlight.access"):
        await requests(str(server.make_url("")).rstrip("/"))
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.name == "porchlight.access"]
    entries = [json.loads(line) for line in lines]
    assert [(e["method"], e["route"], e["status"]) for e in entries] == [
        ("GET", "/api/v1/sites/{site_id}/conversations", 401),
        ("GET", "(no route)", 404),
    ]
    assert all(e["event"] == "http_request" and e["ms"] >= 0 for e in entries)
    assert all(e["level"] == "INFO" and e["logger"] == "porchlight.access" for e in entries)
    assert entries[0]["client"] == "127.0.0.1"  # no trusted proxy: the header is not believed
    assert "SECRET" not in json.dumps(entries)
