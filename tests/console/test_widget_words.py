"""Every word the widget writes through t("…") has a translation in every language the
console offers, so a German widget is German throughout."""

from __future__ import annotations

import re
from pathlib import Path

from server.services.widget_text import ENGLISH, LANGUAGES, STRINGS

WIDGET_SRC = Path(__file__).resolve().parents[2] / "widget" / "src"
CALL = re.compile(r'\b(?:t|tr)\("((?:[^"\\]|\\.)*)"\)')


def widget_words() -> set[str]:
    words = set()
    for source in WIDGET_SRC.glob("*.js"):
        for raw in CALL.findall(source.read_text()):
            words.add(raw.encode().decode("unicode_escape"))
    connection = (WIDGET_SRC / "view.js").read_text()
    table = connection[connection.index("CONNECTION_TEXT") : connection.index("};")]
    words |= {w.encode().decode("unicode_escape") for w in re.findall(r': "(.+)",', table)}
    return words


def test_every_widget_word_has_every_translation():
    missing = widget_words() - set(ENGLISH)
    assert not missing, f"add to server/services/widget_text.py: {sorted(missing)}"
    for language in set(LANGUAGES) - {"en"}:
        assert set(STRINGS[language]) == set(ENGLISH)
        assert all(STRINGS[language].values())
