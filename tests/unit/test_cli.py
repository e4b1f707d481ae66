"""The porchlight command, run in-process against a real SQLite file."""

from __future__ import annotations

import pytest

from server.__main__ import main


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
