"""The store's ids are ULIDs that the ulid library reads back, in the order they were made."""

from __future__ import annotations

import time
from datetime import UTC

from ulid import ULID

from server.storage.ids import UlidFactory
from server.storage.messages.rules import time_of_key


def test_ids_are_ulids_of_the_current_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    made = UlidFactory()()
    after = time.time_ns() // 1_000_000
    parsed = ULID.from_str(made)
    assert str(parsed) == made and len(made) == 26
    assert before <= parsed.milliseconds <= after


def test_ids_made_in_a_row_sort_in_that_order_and_never_repeat() -> None:
    new_id = UlidFactory()
    ids = [new_id() for _ in range(5000)]  # many share a millisecond
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(str(ULID.from_str(i)) == i for i in ids)


def test_the_time_read_back_from_an_id_is_the_ulid_library_s() -> None:
    made = UlidFactory()()
    assert time_of_key(made) == ULID.from_str(made).datetime.astimezone(UTC)
    assert time_of_key(made.lower()) == ULID.from_str(made).datetime.astimezone(UTC)
