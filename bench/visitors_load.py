"""Many widget visitors at once, from many places, browsing: for screenshots and for the
Visitors view benchmark (bench/visitors_browser.py).

    .venv/bin/python -m bench.visitors_load --server http://localhost:8130 \\
        --origin http://localhost:8131 --site-key pk_... --visitors 40 --rate 2 --seconds 600

Each visitor connects to /visitor like the widget does, with an X-Forwarded-For address
drawn from the bundled GeoLite2 database (the server must trust 127.0.0.1 as a proxy:
PORCHLIGHT_TRUSTED_PROXIES=127.0.0.1), a browser fingerprint, a user agent, and a
landing page that sometimes carries UTM parameters; then visitors move between pages
at ``rate`` page views per second in total.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import random
import time
from dataclasses import dataclass, field

import geoip2.database
import socketio

from server.services.visitors.geo import default_database

AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.0.0 Safari/537.36",
]
PAGES = [
    ("/", "Welcome · Acme Outdoor"),
    ("/tents", "Tents for every season · Acme Outdoor"),
    ("/tents/ridge-4", "Ridge 4 tent · Acme Outdoor"),
    ("/sleeping-bags", "Sleeping bags · Acme Outdoor"),
    ("/stoves", "Camp stoves · Acme Outdoor"),
    ("/checkout", "Checkout · Acme Outdoor"),
    ("/help/shipping", "Shipping · Acme Outdoor"),
    ("/blog/winter-camping", "Winter camping, a field guide · Acme Outdoor"),
]
LANDINGS = [
    ("", ""),
    ("?utm_source=google&utm_medium=cpc&utm_campaign=winter", "https://www.google.com/"),
    ("?utm_source=newsletter&utm_medium=email", ""),
    ("", "https://www.reddit.com/r/camping/"),
    ("", "https://duckduckgo.com/"),
    ("?utm_source=instagram&utm_medium=social", "https://l.instagram.com/"),
]


def located_addresses(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """``count`` public IPv4 addresses the bundled database places in a city."""
    rng = random.Random(seed)
    found: dict[str, tuple[str, str]] = {}
    with geoip2.database.Reader(str(default_database())) as reader:
        while len(found) < count:
            address = ipaddress.IPv4Address(rng.getrandbits(32))
            if not address.is_global:
                continue
            try:
                city = reader.city(str(address))
            except Exception:
                continue
            if city.city.name and city.location.time_zone:
                found.setdefault(city.city.name, (str(address), city.location.time_zone))
    return list(found.values())


def new_client() -> socketio.AsyncClient:
    return socketio.AsyncClient(reconnection=False)


@dataclass
class FakeVisitor:
    n: int
    address: str
    zone: str
    rng: random.Random
    sio: socketio.AsyncClient = field(default_factory=new_client)

    def auth(self, site_key: str, origin: str) -> dict:
        landing, referrer = self.rng.choice(LANDINGS)
        path, title = self.rng.choice(PAGES[:3])
        agent = AGENTS[self.n % len(AGENTS)]
        # One visitor in nine has a browser clock far from where the address is.
        zone = "Asia/Tokyo" if self.n % 9 == 4 else self.zone
        return {
            "site_key": site_key,
            "page": {"url": f"{origin}{path}{landing}", "title": title, "referrer": referrer},
            "device": {
                "language": "en-GB",
                "screen": self.rng.choice(["1920x1080", "1440x900", "390x844", "2560x1440"]),
                "time_zone": zone,
                "user_agent": agent,
                "webdriver": "HeadlessChrome" in agent,
            },
            "fingerprint": {
                "hash": f"{self.n:032x}",
                "components": {
                    "cores": self.rng.choice([4, 8, 12]),
                    "languages": ["en-GB", "en"],
                    "color_depth": 24,
                    "pixel_ratio": self.rng.choice([1, 2, 3]),
                    "time_zone": zone,
                },
            },
        }

    async def connect(self, server: str, site_key: str, origin: str) -> None:
        await self.sio.connect(
            server,
            namespaces=["/visitor"],
            auth=self.auth(site_key, origin),
            headers={"Origin": origin, "X-Forwarded-For": self.address},
            transports=["websocket"],
            wait_timeout=20,
        )

    async def browse(self, origin: str) -> None:
        path, title = self.rng.choice(PAGES)
        await self.sio.emit(
            "page_view",
            {"url": f"{origin}{path}", "title": title, "referrer": "", "seconds": 5.0},
            namespace="/visitor",
        )


async def connect_all(
    server: str, origin: str, site_key: str, count: int, parallel: int = 25, returning: int = 0
) -> list[FakeVisitor]:
    """Connect ``count`` visitors; the first ``returning`` of them were here before (they
    come back without a token and are recognised by their fingerprint)."""
    places = located_addresses(min(count, 300))
    visitors = [
        FakeVisitor(n, *places[n % len(places)], rng=random.Random(n)) for n in range(count)
    ]
    gate = asyncio.Semaphore(parallel)

    async def one(visitor: FakeVisitor) -> None:
        async with gate:
            if visitor.n < returning:
                await visitor.connect(server, site_key, origin)
                await visitor.sio.disconnect()
                visitor.sio = new_client()
            for attempt in range(3):  # a busy server may drop a handshake; try again
                try:
                    await visitor.connect(server, site_key, origin)
                    return
                except socketio.exceptions.ConnectionError:
                    if attempt == 2:
                        raise
                    visitor.sio = new_client()
                    await asyncio.sleep(0.5)

    await asyncio.gather(*(one(v) for v in visitors))
    return visitors


async def browse_at(visitors: list[FakeVisitor], origin: str, rate: float, seconds: float) -> int:
    """Send ``rate`` page views per second (spread over all visitors) for ``seconds``."""
    sent = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        due = int((time.monotonic() - start) * rate)
        while sent < due:
            await visitors[random.randrange(len(visitors))].browse(origin)
            sent += 1
        await asyncio.sleep(0.01)
    return sent


async def close_all(visitors: list[FakeVisitor]) -> None:
    await asyncio.gather(*(v.sio.disconnect() for v in visitors), return_exceptions=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--site-key", required=True)
    parser.add_argument("--visitors", type=int, default=40)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--returning", type=int, default=0, help="how many were here before")
    parser.add_argument("--chatting", type=int, default=0, help="how many write a message")
    args = parser.parse_args()
    visitors = await connect_all(
        args.server, args.origin, args.site_key, args.visitors, returning=args.returning
    )
    for visitor in visitors[-args.chatting :] if args.chatting else []:
        await visitor.sio.call(
            "send_message",
            {"client_id": f"bench-{visitor.n}", "text": "Do you ship to my country?"},
            namespace="/visitor",
        )
    print(f"{len(visitors)} visitors online", flush=True)
    try:
        await browse_at(visitors, args.origin, args.rate, args.seconds)
    finally:
        await close_all(visitors)


if __name__ == "__main__":
    asyncio.run(main())
