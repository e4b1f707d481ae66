"""The packets waiting to go out on one Engine.IO socket, at a fraction of asyncio.Queue's size.

Engine.IO gives every socket an ``asyncio.Queue``: three deques and an Event with a fourth,
about 3 KB, although an idle socket holds nothing and nobody waits on it most of the time.
This keeps the part of the Queue's interface Engine.IO uses (put, get, their ``_nowait``
forms, ``task_done``, ``join``, ``empty``, ``qsize``), allocating a list only while
packets wait and a future only while someone waits.
"""

from __future__ import annotations

import asyncio
from typing import Any


class LightQueue:
    __slots__ = ("_getters", "_items", "_joined", "_unfinished")

    def __init__(self) -> None:
        self._items: list[Any] | None = None
        self._getters: list[asyncio.Future[None]] | None = None
        self._unfinished = 0
        self._joined: asyncio.Future[None] | None = None

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = [item]
        else:
            self._items.append(item)
        self._unfinished += 1
        self._wake_one()

    def _wake_one(self) -> None:
        for getter in self._getters or ():
            if not getter.done():
                getter.set_result(None)
                break

    async def put(self, item: Any) -> None:
        self.put_nowait(item)  # unbounded, as Engine.IO's queue is

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        item = self._items.pop(0)
        if not self._items:
            self._items = None
        return item

    async def get(self) -> Any:
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(getter)
            try:
                await getter
            except asyncio.CancelledError:
                if self._items:
                    self._wake_one()  # woken and cancelled at once: pass the item on
                raise
            finally:
                self._getters.remove(getter)
                if not self._getters:
                    self._getters = None
        return self.get_nowait()

    def task_done(self) -> None:
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0 and self._joined is not None:
            if not self._joined.done():
                self._joined.set_result(None)
            self._joined = None

    async def join(self) -> None:
        if self._unfinished:
            if self._joined is None:
                self._joined = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._joined)
