"""A visitor that floods: run as its own process, so the flood does not share the test's
event loop. ``python -m tests.support.flood URL SITE_KEY ORIGIN ADDRESS COUNT`` prints
``{"acks": [...]}`` as JSON once every message is answered."""

from __future__ import annotations

import asyncio
import json
import sys

import socketio


async def flood(url: str, site_key: str, origin: str, address: str, count: int) -> list[dict]:
    client = socketio.AsyncClient(reconnection=False)
    ready = asyncio.Event()
    client.on("session", lambda _data: ready.set(), namespace="/visitor")
    await client.connect(
        url,
        namespaces=["/visitor"],
        auth={"site_key": site_key, "page": {"url": origin + "/", "title": "", "referrer": ""}},
        headers={"Origin": origin, "X-Forwarded-For": address},
        transports=["websocket"],
        wait_timeout=10,
    )
    await asyncio.wait_for(ready.wait(), 10)
    print("connected", flush=True)
    try:
        return await asyncio.gather(
            *(
                client.call(
                    "send_message",
                    {"client_id": f"flood-{n}", "text": f"spam {n}"},
                    namespace="/visitor",
                    timeout=30,
                )
                for n in range(count)
            )
        )
    finally:
        await client.disconnect()


if __name__ == "__main__":
    url, site_key, origin, address, count = sys.argv[1:6]
    acks = asyncio.run(flood(url, site_key, origin, address, int(count)))
    print(json.dumps({"acks": acks}), flush=True)
