"""The Reports API end to end: a real chat fills the facts, JSON and CSV say the same."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import aiohttp

from tests.realtime.conftest import login_token


async def get(base_url: str, path: str, token: str) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{base_url}{path}", headers=headers) as response,
    ):
        return response.status, await response.text()


async def test_a_chat_shows_up_in_the_reports_and_the_csv_matches_the_api(
    base_url, agent_a, tenant_a, tenant_b, visitor_of
):
    visitor = await visitor_of(tenant_a)
    ack = await visitor.call("send_message", {"client_id": "c-1", "text": "This is great, thanks!"})
    conversation_id = ack["message"]["conversation_id"]
    reply = await agent_a.call(
        "send_message", {"conversation_id": conversation_id, "client_id": "a-1", "text": "Hi!"}
    )
    assert reply["ok"], reply
    token = await login_token(base_url, tenant_a.email)
    today = datetime.now(UTC).date().isoformat()
    query = f"site_id={tenant_a.site.id}&from={today}&to={today}&tz=UTC"

    status, text = await get(base_url, f"/api/v1/reports?{query}", token)
    assert status == 200, text
    body = json.loads(text)
    assert body["period"]["buckets"] == [today]
    assert body["business_hours"] == {"site_ids": [], "applied": False}  # the site has none
    figures = body["figures"]
    assert figures["conversations"]["rows"] == [[today, 1, 0, 0, 1, 1]]
    assert figures["sentiment"]["rows"][0][1:4] == [1, 0, 0]  # "great, thanks" is positive
    [agent_row] = figures["team"]["rows"]
    assert agent_row[:3] == [tenant_a.agent.id, "Shop A agent", 1]

    status, text = await get(base_url, f"/api/v1/reports/conversations?{query}&format=csv", token)
    assert status == 200
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == figures["conversations"]["columns"]
    assert table[1:] == [[str(v) for v in row] for row in figures["conversations"]["rows"]]

    status, text = await get(
        base_url, f"/api/v1/sites/{tenant_a.site.id}/sentiments?ids={conversation_id}", token
    )
    assert status == 200
    assert json.loads(text)["sentiments"][conversation_id] > 0.5


async def test_bad_input_is_a_clear_error_and_other_sites_are_refused(base_url, tenant_a, tenant_b):
    token = await login_token(base_url, tenant_a.email)
    for query, words in [
        ("tz=Mars/Olympus", "unknown time zone"),
        ("from=yesterday", "from must be a day"),
        ("from=2026-03-02&to=2026-03-01", "from must not be after to"),
        ("interval=minute", "interval must be"),
        ("from=2020-01-01&to=2026-01-01", "at most 366 days"),
        ("missed_after=0", "missed_after"),
        ("business_hours=maybe", "business_hours"),
    ]:
        status, text = await get(base_url, f"/api/v1/reports?{query}", token)
        assert status == 400, (query, text)
        assert words in text
    status, _ = await get(base_url, "/api/v1/reports/nothing", token)
    assert status == 404
    status, _ = await get(base_url, f"/api/v1/reports?site_id={tenant_b.site.id}", token)
    assert status == 403
