"""Redaction of typing previews: one table of cases, checked against the server's rules and
the widget's (the same rules in JavaScript, run by Node when it is installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from server.services.chat.redaction import luhn_valid, redact

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CASES = json.loads((HERE / "redaction_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_server_redaction(case):
    assert redact(case["text"]) == case["masked"]


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4242424242424242", True),
        ("4242424242424241", False),
        ("378282246310005", True),
        ("79927398713", True),
        ("79927398710", False),
    ],
)
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


def test_masking_keeps_the_length_so_ghost_text_does_not_jump():
    for case in CASES:
        assert len(redact(case["text"])) == len(case["text"])


def test_redaction_is_idempotent():
    for case in CASES:
        assert redact(case["masked"]) == case["masked"]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_widget_masks_exactly_like_the_server():
    module = json.dumps((ROOT / "widget/src/redact.js").as_uri())
    cases = json.dumps(str(HERE / "redaction_cases.json"))
    script = (
        'import { readFileSync } from "node:fs";'
        f"import {{ redact }} from {module};"
        f'const cases = JSON.parse(readFileSync({cases}, "utf8"));'
        "process.stdout.write(JSON.stringify(cases.map((c) => redact(c.text))));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert json.loads(out) == [c["masked"] for c in CASES]
