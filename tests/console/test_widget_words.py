"""Every word the widget writes through t("…") or tn(…) has a translation in every
language the console offers, so a German widget is German throughout."""

from __future__ import annotations

import re
from pathlib import Path

from server.services.console.widget_text import DEFAULT_TEXTS, ENGLISH, LANGUAGES, STRINGS
from server.services.console.widget_words import WORDS

WIDGET_SRC = Path(__file__).resolve().parents[2] / "widget" / "src"
SERVER = Path(__file__).resolve().parents[2] / "server"
STRING = r'"((?:[^"\\]|\\.)*)"'
CALL = re.compile(r"\b(?:t|tr)\(" + STRING + r"\s*[,)]")
CHOICE = re.compile(r"\bt\(\w[^?]*\? " + STRING + " : " + STRING)  # t(x ? "A" : "B", …)
PLURAL = re.compile(r"\btn\([^,]+, " + STRING + ", " + STRING + r"\)")
PLACEHOLDER = re.compile(r"\{\w+\}")


def unescape(raw: str) -> str:
    return raw.encode().decode("unicode_escape")


def widget_words() -> tuple[set[str], set[str]]:
    """(phrases, plural phrases by their "other" form) written in widget/src."""
    words, plurals = set(), set()
    for source in WIDGET_SRC.glob("*.js"):
        text = source.read_text()
        words |= {unescape(raw) for raw in CALL.findall(text)}
        words |= {unescape(raw) for pair in CHOICE.findall(text) for raw in pair}
        plurals |= {unescape(other) for _one, other in PLURAL.findall(text)}
    connection = (WIDGET_SRC / "view.js").read_text()
    table = connection[connection.index("CONNECTION_TEXT") : connection.index("};")]
    words |= {unescape(w) for w in re.findall(r': "(.+)",', table)}
    return words | system_lines(), plurals


def system_lines() -> set[str]:
    """The server's system lines the widget translates (messages.js LINES)."""
    source = (WIDGET_SRC / "messages.js").read_text()
    return set(re.findall(r'"([^"]+)"', re.search(r"const LINES = \[(.*)\];", source).group(1)))


def test_the_widget_knows_every_system_line_the_server_writes():
    server = (SERVER / "services" / "chat" / "conversations.py").read_text()
    written = {"{name}" + rest for rest in re.findall(r'_line\(\w+, f"\{[^}]+\}([^"]+)"', server)}
    assert written and written == system_lines()


def test_every_widget_word_has_every_translation():
    words, plurals = widget_words()
    missing = (words | plurals) - set(ENGLISH)
    assert not missing, f"add to server/services/console/widget_words.py: {sorted(missing)}"
    unused = set(ENGLISH) - words - plurals
    assert not unused, f"the widget no longer writes these: {sorted(unused)}"
    for language in set(LANGUAGES) - {"en"}:
        assert set(STRINGS[language]) == set(ENGLISH), language
        assert all(STRINGS[language].values()), language


def test_plural_phrases_have_forms_and_plain_ones_do_not():
    _words, plurals = widget_words()
    for english, by_language in WORDS.items():
        for language, words in by_language.items():
            if english in plurals:
                assert isinstance(words, dict) and words.get("other"), (english, language)
                assert set(words) <= {"zero", "one", "two", "few", "many", "other"}
            else:
                assert isinstance(words, str), (english, language)


def test_placeholders_survive_translation():
    for english, by_language in WORDS.items():
        expected = set(PLACEHOLDER.findall(english))
        for language, words in by_language.items():
            for form in words.values() if isinstance(words, dict) else [words]:
                assert set(PLACEHOLDER.findall(form)) == expected, (english, language, form)


def test_every_language_has_its_default_greeting():
    assert set(DEFAULT_TEXTS) == set(LANGUAGES)
