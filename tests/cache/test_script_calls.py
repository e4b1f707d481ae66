"""Scripts called in one turn of the event loop share a round trip; each caller still gets
its own answer or its own error (Redis: a real server on 127.0.0.1:6379)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from server.storage.redis_calls import ScriptCalls
from tests.support.apps import REDIS_TEST_URL

# A fresh text each run: Redis has never loaded it, as after a restart.
ECHO = "-- {tag}\nif ARGV[1] == 'fail' then return redis.error_reply('refused') end\nreturn ARGV[1]"


@pytest.fixture
async def client():
    client = aioredis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    yield client
    await client.aclose()


class CountingPipelines(ScriptCalls):
    def __init__(self, redis) -> None:
        super().__init__(redis)
        self.pipelines = 0

    async def _pipeline(self, batch):
        self.pipelines += 1
        return await super()._pipeline(batch)


async def test_scripts_of_one_turn_go_together_and_each_caller_gets_its_answer(client):
    calls = CountingPipelines(client)
    echo = client.register_script(ECHO.format(tag=uuid.uuid4().hex))

    answers = await asyncio.gather(
        *(calls.call(echo, args=[f"a{n}"]) for n in range(20)),
        calls.call(echo, args=["fail"]),
        return_exceptions=True,
    )

    assert answers[:20] == [f"a{n}" for n in range(20)]
    assert isinstance(answers[20], ResponseError) and "refused" in str(answers[20])
    assert calls.pipelines == 1


async def test_a_caller_alone_and_callers_in_turn_are_answered(client):
    calls = ScriptCalls(client)
    echo = client.register_script(ECHO.format(tag=uuid.uuid4().hex))
    assert await calls.call(echo, args=["one"]) == "one"
    assert [await calls.call(echo, args=[str(n)]) for n in range(3)] == ["0", "1", "2"]


async def test_an_unreachable_redis_fails_every_caller_of_the_turn():
    dead = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    calls = ScriptCalls(dead)
    echo = dead.register_script("return 1")
    try:
        answers = await asyncio.gather(
            *(calls.call(echo) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(answer, RedisConnectionError) for answer in answers), answers
    finally:
        await dead.aclose()
