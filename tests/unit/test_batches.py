import asyncio
from collections.abc import Sequence

from server.storage.batches import Batches


async def test_items_added_while_a_batch_lingers_are_written_together() -> None:
    written: list[list[int]] = []

    async def write(items: Sequence[int]) -> list[int]:
        written.append(list(items))
        return [item * 2 for item in items]

    batches: Batches[int, int] = Batches(write, linger=0.05)
    first = asyncio.ensure_future(batches.add(1))
    await asyncio.sleep(0.01)  # a later turn of the event loop, within the linger
    second = asyncio.ensure_future(batches.add(2))

    assert await asyncio.gather(first, second) == [2, 4]
    assert written == [[1, 2]]


async def test_without_linger_an_item_added_later_gets_a_batch_of_its_own() -> None:
    written: list[list[int]] = []

    async def write(items: Sequence[int]) -> list[int]:
        written.append(list(items))
        return list(items)

    batches: Batches[int, int] = Batches(write)
    assert await batches.add(1) == 1
    assert await batches.add(2) == 2
    assert written == [[1], [2]]
