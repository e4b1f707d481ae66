"""Clusters of real processes: two nodes behind a load balancer, sharing PostgreSQL, a Redis
and a Mongo wire server of the test's own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.resilience.processes import (
    Balancer,
    MongoWireServer,
    Node,
    RedisServer,
    postgres_database,
)


@dataclass
class Cluster:
    nodes: list[Node]
    balancer: Balancer
    redis: RedisServer
    mongo: MongoWireServer
    site_key: str
    database: str

    def stored_messages(self) -> list[dict]:
        with MongoClient(self.mongo.url) as client:
            return list(client[self.database]["messages"].find({}, {"client_id": 1}))


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
