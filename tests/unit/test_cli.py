"""The porchlight command, run in-process against a real SQLite file."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from pymongo import MongoClient

from server.__main__ import main
from server.storage.messages import sqlite_migrate


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path))
    for name in ("PORCHLIGHT_DATABASE_URL", "PORCHLIGHT_MONGODB_URL", "PORCHLIGHT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_migrate_create_site_and_agent(data_dir, capsys):
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # a second run changes nothing
    assert (data_dir / "porchlight.db").exists()
    capsys.readouterr()

    assert main(["create-site", "--name", "Acme", "--origin", "https://acme.test"]) == 0
    site_key = capsys.readouterr().out.strip()
    assert site_key.startswith("pk_") and len(site_key) > 10

    code = main(
        [
            "create-agent",
            "--email",
            "ana@acme.test",
            "--password",
            "long enough pw",
            "--site",
            site_key,
            "--role",
            "owner",
        ]
    )
    assert code == 0
    assert "ana@acme.test" in capsys.readouterr().out


def test_migrate_on_an_empty_data_dir_creates_both_databases(data_dir, capsys):
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "database is up to date",
        "message store is up to date",
    ]
    with sqlite3.connect(data_dir / "porchlight.db") as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"sites", "agents", "alembic_version"} <= tables
    messages_db = data_dir / "messages.db"
    assert sqlite_migrate.current_revision(messages_db) == sqlite_migrate.head_revision()
    with sqlite3.connect(messages_db) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"visitors", "page_views", "conversations", "messages"} <= tables

    assert main(["migrate"]) == 0  # a second run changes nothing
    assert sqlite_migrate.current_revision(messages_db) == sqlite_migrate.head_revision()


def test_migrate_with_mongodb_applies_its_steps_and_leaves_no_sqlite_store(
    data_dir, monkeypatch, mongo_url
):
    database = f"porchlight_test_{uuid.uuid4().hex}"
    monkeypatch.setenv("PORCHLIGHT_MONGODB_URL", mongo_url)
    monkeypatch.setenv("PORCHLIGHT_MONGODB_DATABASE", database)
    client: MongoClient = MongoClient(mongo_url)
    try:
        assert main(["migrate"]) == 0
        records = list(client[database]["schema_migrations"].find())
        assert records and all(record["state"] == "done" for record in records)
    finally:
        client.drop_database(database)
        client.close()
    assert not (data_dir / "messages.db").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create-site", "--name", "Acme", "--origin", "not a url"], "is not an origin"),
        (["create-site", "--name", "  ", "--origin", "https://a.test"], "site name"),
        (
            [
                "create-agent",
                "--email",
                "a@b.test",
                "--password",
                "long enough pw",
                "--site",
                "pk_missing",
            ],
            "unknown site key",
        ),
    ],
)
def test_errors_are_one_line_and_a_non_zero_exit(data_dir, capsys, argv, message):
    main(["migrate"])
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("porchlight: error:") and message in err


def test_duplicate_agent_is_refused(data_dir, capsys):
    main(["migrate"])
    main(["create-site", "--name", "Acme", "--origin", "https://acme.test"])
    site_key = capsys.readouterr().out.strip().splitlines()[-1]
    args = [
        "create-agent",
        "--email",
        "a@b.test",
        "--password",
        "long enough pw",
        "--site",
        site_key,
    ]
    assert main(args) == 0
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err


def test_migrate_refuses_a_message_store_from_a_newer_version_in_one_line(data_dir, capsys):
    assert main(["migrate"]) == 0
    with sqlite3.connect(data_dir / "messages.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'e0099_from_the_future'")
    capsys.readouterr()

    assert main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("porchlight: error:") and "e0099_from_the_future" in err


def test_reports_recount_counts_the_conversations_again(data_dir, capsys):
    assert main(["migrate"]) == 0
    db = sqlite3.connect(data_dir / "messages.db")
    with db:
        db.execute(
            "INSERT INTO report_conversations (conversation_id, site_id, created_ms) "
            "VALUES ('c1', 1, 1780000200000)"
        )
    capsys.readouterr()
    assert main(["reports-recount"]) == 0
    assert capsys.readouterr().out.strip() == "report counts rebuilt from 1 conversations"
    assert db.execute("SELECT slot_ms, counts FROM report_counts").fetchall() == [
        (1780000200000, '{"new":1}')
    ]
    db.close()
