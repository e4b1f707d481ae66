"""Redis scripts called in one turn of the event loop go to Redis together.

Every round trip through redis-py costs this process more CPU than Redis spends running
the script (a pooled connection taken and given back, a timer per read, the wake-up when
the answer comes). Visitors connect and send messages at the same moments, so the presence
and rate-limit scripts that their handlers call in one turn of the loop are queued and
sent in one pipeline, without a transaction: each script is atomic on its own, as it was
called alone. Each caller gets its own answer, or its own error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from server.storage.settle import settle

_Call = tuple[AsyncScript, Sequence[Any], Sequence[Any], "asyncio.Future[Any]"]


class ScriptCalls:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._waiting: list[_Call] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def call(self, script: AsyncScript, keys: Sequence[Any] = (), args: Sequence[Any] = ()):  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._send)  # after the callbacks of this turn
        self._waiting.append((script, keys, args, future))
        return await future

    def _send(self) -> None:
        batch, self._waiting = self._waiting, []
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _run(self, batch: list[_Call]) -> None:
        try:
            if len(batch) == 1:
                script, keys, args, _ = batch[0]
                answers: list[Any] = [await _answer(script(keys=keys, args=args))]
            else:
                answers = await self._pipeline(batch)
        except Exception as error:
            answers = [error] * len(batch)
        except BaseException:
            for *_, future in batch:
                future.cancel()
            raise
        settle((future, answer) for (*_, future), answer in zip(batch, answers, strict=True))

    async def _pipeline(self, batch: list[_Call]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for script, keys, args, _ in batch:
                pipe.evalsha(script.sha, len(keys), *keys, *args)
            answers = await pipe.execute(raise_on_error=False)
        for n, answer in enumerate(answers):
            if isinstance(answer, NoScriptError):  # Redis restarted: it ran nothing of it
                script, keys, args, _ = batch[n]
                answers[n] = await _answer(script(keys=keys, args=args))  # loads, runs
        return answers


async def _answer(pending: Any) -> Any:
    try:
        return await pending
    except Exception as error:
        return error
