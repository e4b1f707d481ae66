"""Clusters of real processes: two nodes behind a load balancer, sharing PostgreSQL, a Redis
and a Mongo wire server of the test's own."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import redis
from pymongo import MongoClient

from tests.resilience.processes import (
    HOST,
    Balancer,
    MongoWireServer,
    Node,
    RedisServer,
)
from tests.support.postgres import postgres_database
from tests.support.sockets import RecordingClient

AGENT_EMAIL = "owner@shop.test"
AGENT_PASSWORD = "correct horse battery"


@dataclass
class Cluster:
    nodes: list[Node]
    balancer: Balancer
    redis: RedisServer
    mongo: MongoWireServer
    site_key: str
    database: str

    async def sign_in(self, node: Node) -> str:
        """A token for the site's owner, from ``node``."""
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"http://{HOST}:{node.port}/api/v1/auth/login",
                json={"email": AGENT_EMAIL, "password": AGENT_PASSWORD},
            ) as response,
        ):
            return (await response.json())["token"]

    async def agent(self, node: Node, token: str | None = None) -> RecordingClient:
        """The site's owner connected to ``node``, signed in there unless ``token`` is given."""
        token = token or await self.sign_in(node)
        return await RecordingClient("/agent").connect(
            f"http://{HOST}:{node.port}", {"token": token}
        )

    @contextlib.asynccontextmanager
    async def redis_away(self, seconds: float = 2.0) -> AsyncIterator[None]:
        """Redis stops for the block and ``seconds`` more, then comes back with what it held
        as the block began (a restart from its snapshot)."""
        with redis.Redis.from_url(self.redis.url) as client:
            client.save()
        self.redis.stop()
        try:
            yield
            await asyncio.sleep(seconds)  # the nodes' tries meet no Redis meanwhile
        finally:
            self.redis.start()

    def stored_messages(self) -> list[dict]:
        with MongoClient(self.mongo.url) as client:
            return list(client[self.database]["messages"].find({}, {"client_id": 1}))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """A failed test's report carries the end of each node's log: what the nodes saw is
    the first thing to read when a test of real processes fails."""
    report = yield
    cluster = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and isinstance(cluster, Cluster):
        for node in cluster.nodes:
            report.sections.append((f"node {node.name} ({node.port}) log", node.tail(80)))
    return report


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    redis = RedisServer(tmp_path)
    mongo = MongoWireServer(tmp_path / "mongo")
    redis.start()
    mongo.start()
    database = f"pl_{uuid.uuid4().hex[:10]}"
    nodes: list[Node] = []
    balancer = None
    try:
        with postgres_database() as sql_url:
            env = {
                "PORCHLIGHT_DATABASE_URL": sql_url,
                "PORCHLIGHT_MONGODB_URL": mongo.url,
                "PORCHLIGHT_MONGODB_DATABASE": database,
                "PORCHLIGHT_REDIS_URL": redis.url,
                "PORCHLIGHT_REDIS_NAMESPACE": f"plres-{uuid.uuid4().hex[:8]}",
                # Every test visitor comes from one address and writes faster than a person.
                "PORCHLIGHT_RATE_LIMIT_MESSAGE_VISITOR": "1000/minute",
                "PORCHLIGHT_RATE_LIMIT_MESSAGE_ADDRESS": "100000/minute",
                "PORCHLIGHT_RATE_LIMIT_CONNECT_ADDRESS": "10000/minute",
                "PORCHLIGHT_RATE_LIMIT_CONNECT_VISITOR": "1000/minute",
            }
            nodes = [Node("a", env, tmp_path), Node("b", env, tmp_path)]
            await asyncio.to_thread(nodes[0].run_command, "migrate")
            site_key = (
                await asyncio.to_thread(nodes[0].run_command, "create-site", "--name", "Shop")
            ).splitlines()[-1]
            await asyncio.to_thread(
                nodes[0].run_command,
                "create-agent",
                "--email",
                AGENT_EMAIL,
                "--password",
                AGENT_PASSWORD,
                "--site",
                site_key,
                "--role",
                "owner",
            )
            await asyncio.gather(*(asyncio.to_thread(n.start) for n in nodes))
            balancer = Balancer([n.port for n in nodes])
            await balancer.start()
            yield Cluster(nodes, balancer, redis, mongo, site_key, database)
    finally:
        if balancer is not None:
            await balancer.close()
        for node in nodes:
            node.kill()
        redis.stop()
        mongo.stop()
