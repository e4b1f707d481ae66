"""The idempotency keys' store and the rules on top of it, with a clock the test moves, on
both SQL databases (SQLite and PostgreSQL, each migrated as in production): several nodes
share one PostgreSQL, so concurrent requests with one key meet in it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from server.domain import Conflict, Unprocessable
from server.services.integrations.idempotency import Answer, IdempotencyService, fingerprint
from server.storage.sql.engine import make_engine, make_sessionmaker
from server.storage.sql.idempotency import IdempotencyRepository
from server.storage.sql.migrate import upgrade
from tests.support.postgres import postgres_database

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_database("pl_idempotency") as url, ThreadPoolExecutor(1) as thread:
        thread.submit(upgrade, url).result()  # Alembic runs a loop of its own
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def repo(request, tmp_path, sql_template):
    if request.param == "sqlite":
        shutil.copyfile(sql_template, tmp_path / "sql.db")
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'sql.db'}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM idempotency_keys"))
    yield IdempotencyRepository(make_sessionmaker(engine))
    await engine.dispose()


async def test_claim_keep_and_answer_again(repo):
    now = START
    assert await repo.claim("site:1", "k", "print-a", now, now - timedelta(days=1)) is None
    running = await repo.claim("site:1", "k", "print-a", now, now - timedelta(days=1))
    assert running is not None and running.status is None
    await repo.keep("site:1", "k", 200, '{"ok": true}')
    kept = await repo.claim("site:1", "k", "print-a", now, now - timedelta(days=1))
    assert (kept.fingerprint, kept.status, kept.body) == ("print-a", 200, '{"ok": true}')
    assert await repo.claim("site:2", "k", "print-b", now, now - timedelta(days=1)) is None
    later = now + timedelta(days=2)  # a day on, the key is free again
    assert await repo.claim("site:1", "k", "print-c", later, later - timedelta(days=1)) is None
    assert await repo.forget_before(later + timedelta(seconds=1)) == 2


async def test_the_service_runs_once_and_refuses_a_different_request(repo):
    clock = [START]
    service = IdempotencyService(repo, clock=lambda: clock[0])
    runs = []

    async def work() -> Answer:
        runs.append(1)
        return Answer(200, f'{{"ok": true, "n": {len(runs)}}}')

    same = fingerprint("POST", "/api/v1/x", b'{"text":"hi"}')
    first = await service.run("site:1", "retry-me", same, work)
    again = await service.run("site:1", "retry-me", same, work)
    assert runs == [1] and again.body == first.body and again.replayed
    other = fingerprint("POST", "/api/v1/x", b'{"text":"bye"}')
    with pytest.raises(Unprocessable):
        await service.run("site:1", "retry-me", other, work)


async def test_a_failure_frees_the_key_and_a_running_one_holds_it(repo):
    service = IdempotencyService(repo)
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> Answer:
        started.set()  # the key is held from here on
        await release.wait()
        return Answer(200, "{}")

    async def broken() -> Answer:
        return Answer(503, '{"ok": false}')

    running = asyncio.create_task(service.run("agent:7", "k1", "p", slow))
    await started.wait()
    with pytest.raises(Conflict):
        await service.run("agent:7", "k1", "p", slow)
    release.set()
    assert (await running).status == 200

    assert (await service.run("agent:7", "k2", "p", broken)).status == 503
    assert not (await service.run("agent:7", "k2", "p", slow)).replayed  # ran again


async def test_concurrent_requests_with_one_key_run_once(repo):
    """Ten requests with one key at once (as from ten nodes): one runs, and every other is
    told it is running (409) or, once it has finished, given its answer."""
    service = IdempotencyService(repo)
    runs = []
    started = asyncio.Event()
    release = asyncio.Event()

    async def work() -> Answer:
        runs.append(1)
        started.set()
        await release.wait()
        return Answer(200, '{"ok": true}')

    async def attempt() -> str:
        try:
            answer = await service.run("site:3", "same-key", "p", work)
        except Conflict:
            return "running"
        return "replayed" if answer.replayed else "ran"

    first = [asyncio.create_task(attempt()) for _ in range(10)]
    await started.wait()
    meanwhile = await asyncio.gather(*(attempt() for _ in range(5)))
    release.set()
    outcomes = await asyncio.gather(*first)
    assert runs == [1]
    assert sorted(outcomes).count("ran") == 1
    assert set(outcomes) | set(meanwhile) <= {"ran", "running", "replayed"}
    assert meanwhile == ["running"] * 5
    assert await attempt() == "replayed"
