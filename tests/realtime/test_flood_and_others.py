"""While one visitor floods, everyone else on the site keeps chatting: the flood is refused
at its own level (the visitor) and uses up nothing of the site's allowance, so every other
visitor's message is accepted and reaches the team. The flood runs in its own process and
keeps going until the others are done; accepted and refused messages are counted."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import sys

import pytest

from server.rate_limit_rules import RateLimitRules
from tests.realtime.conftest import PAGE_A, SHOP_A, login_token

WAVE = 50
FLOODED_BEFORE_OTHERS = 200  # more than the site's allowance: counted there, it would be gone
CALM_VISITORS = 3
CALM_MESSAGES = 5


@pytest.fixture
def app_settings(app_settings):
    return app_settings.with_(
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
        rate_limits=RateLimitRules(message_visitor="10/minute", message_site="100/minute"),
    )


async def test_a_flood_leaves_every_other_visitors_messages_accepted(
    base_url, tenant_a, socket_client
):
    agent = await socket_client(
        "/agent", base_url, {"token": await login_token(base_url, tenant_a.email)}
    )
    await agent.next("session")
    calm = []
    for n in range(CALM_VISITORS):
        auth = {"site_key": tenant_a.site.site_key, "page": PAGE_A, "device": {}}
        headers = {"Origin": SHOP_A, "X-Forwarded-For": f"198.51.100.{n + 1}"}
        visitor = await socket_client("/visitor", base_url, auth, headers)
        await visitor.next("session")
        calm.append(visitor)

    flooder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.flood",
        base_url,
        tenant_a.site.site_key,
        SHOP_A,
        "203.0.113.9",
        str(WAVE),
        str(FLOODED_BEFORE_OTHERS),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert flooder.stdin is not None and flooder.stdout is not None
    try:
        assert (await asyncio.wait_for(flooder.stdout.readline(), 20)).strip() == b"connected"
        assert (await asyncio.wait_for(flooder.stdout.readline(), 60)).strip() == b"flooding"

        async def chat(visitor, n: int) -> list[dict]:
            return [
                await visitor.call("send_message", {"client_id": f"calm-{n}-{i}", "text": "hi"})
                for i in range(CALM_MESSAGES)
            ]

        calm_acks = await asyncio.gather(*(chat(v, n) for n, v in enumerate(calm)))
    finally:
        flooder.stdin.close()  # the flood goes on until the others are done
    out, _ = await asyncio.wait_for(flooder.communicate(), 60)
    acks = json.loads(out.splitlines()[-1])["acks"]

    accepted = [a for a in acks if a["ok"]]
    refused = [a for a in acks if not a["ok"]]
    print(f"flood: {len(accepted)} accepted, {len(refused)} refused")
    assert len(acks) > FLOODED_BEFORE_OTHERS
    assert len(accepted) == 10  # message_visitor: 10 a minute
    assert len(refused) == len(acks) - 10
    assert {a["code"] for a in refused} == {"rate_limited"}
    assert all(0 < a["retry_after"] <= 60 for a in refused)

    # Every other visitor's message was accepted, and the team heard each one.
    calm_sent = {f"calm-{n}-{i}" for n in range(CALM_VISITORS) for i in range(CALM_MESSAGES)}
    assert [a["ok"] for v in calm_acks for a in v] == [True] * len(calm_sent), calm_acks
    heard = set()
    while not calm_sent <= heard:
        message = await agent.next("message")
        heard.add(message["client_id"])
