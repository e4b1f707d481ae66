"""A visitor that floods: run as its own process, so the flood does not share the test's
event loop. ``python -m tests.support.flood URL SITE_KEY ORIGIN ADDRESS WAVE SENT`` connects,
prints ``connected``, then sends waves of WAVE messages at once, one wave after another,
and prints ``flooding`` once SENT messages have been answered. It keeps flooding until its
standard input is closed, then prints ``{"acks": [...]}`` as JSON: every message it sent,
answered."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys

import socketio


async def flood(
    url: str, site_key: str, origin: str, address: str, wave: int, sent: int
) -> list[dict]:
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
    told_to_stop = asyncio.ensure_future(asyncio.to_thread(sys.stdin.read))
    numbers = itertools.count()
    acks: list[dict] = []
    flooding = False
    try:
        while not flooding or not told_to_stop.done():
            acks += await asyncio.gather(
                *(
                    client.call(
                        "send_message",
                        {"client_id": f"flood-{n}", "text": f"spam {n}"},
                        namespace="/visitor",
                        timeout=30,
                    )
                    for n in itertools.islice(numbers, wave)
                )
            )
            if not flooding and len(acks) >= sent:
                flooding = True
                print("flooding", flush=True)
        return acks
    finally:
        await client.disconnect()


if __name__ == "__main__":
    url, site_key, origin, address, wave, sent = sys.argv[1:7]
    acks = asyncio.run(flood(url, site_key, origin, address, int(wave), int(sent)))
    print(json.dumps({"acks": acks}), flush=True)
