"""What a search asks for, the same way in both stores, and the excerpts it shows.

A query is a list of phrases that must all match; a word is a phrase of one token, text in
double quotes is a phrase of its tokens in order, and a chunk such as ``zoe@example.com``
is the phrase of its parts. Tokens are what SQLite's ``unicode61 remove_diacritics 2``
tokenizer and MongoDB's text index (language ``none``) both make of text: runs of letters
and digits, case-folded, accents removed. No stemming, no stop words, in either store.

Matches are marked in excerpts with two private-use characters that no visitor types
(``MARK_START``, ``MARK_END``); the dashboard splits on them and builds elements, so an
excerpt is never HTML.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from server.domain import InvalidInput, Message

MARK_START = "\ue000"
MARK_END = "\ue001"
ELLIPSIS = "…"
SNIPPET_TOKENS = 16
MAX_QUERY_CHARS = 200
MAX_PHRASES = 8
MAX_TOKEN_CHARS = 64
# "Best match" ranks this many of the newest matches (all of them when there are fewer),
# in both stores: ranking every match of a common word in a big site takes seconds.
BEST_WINDOW = 2000

_TOKEN = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')


class SearchOrder(StrEnum):
    NEWEST = "newest"
    BEST = "best"


def fold(text: str) -> str:
    """Case-folded, accents removed: what both indexes compare."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, raw: object) -> SearchQuery:
        if not isinstance(raw, str) or not raw.strip():
            raise InvalidInput("type something to search for")
        if len(raw) > MAX_QUERY_CHARS:
            raise InvalidInput(f"a search is at most {MAX_QUERY_CHARS} characters", "too_long")
        phrases: list[tuple[str, ...]] = []
        for quoted, bare in _CHUNK.findall(raw):
            words = tuple(t[:MAX_TOKEN_CHARS] for t in tokens(quoted or bare))
            if words and words not in phrases:
                phrases.append(words)
        if not phrases:
            raise InvalidInput("search for letters or digits")
        if len(phrases) > MAX_PHRASES:
            raise InvalidInput(f"a search has at most {MAX_PHRASES} words or phrases")
        return cls(tuple(phrases))

    @property
    def words(self) -> frozenset[str]:
        return frozenset(t for phrase in self.phrases for t in phrase)

    def fts5(self, column: str) -> str:
        """The FTS5 expression: every phrase, in ``column`` only. Tokens hold letters and
        digits only, so quoting them cannot break out of the phrase."""
        phrases = " AND ".join(f'"{" ".join(phrase)}"' for phrase in self.phrases)
        return f"{column} : ({phrases})"

    def mongo_text(self) -> str:
        """A ``$text`` ``$search`` string: each phrase quoted, so all must match (MongoDB
        ORs bare words but ANDs quoted phrases)."""
        return " ".join(f'"{" ".join(phrase)}"' for phrase in self.phrases)

    def matches(self, text: str) -> bool:
        """Whether ``text`` holds every phrase (checks a store's answer in Python)."""
        padded = f" {' '.join(tokens(text))} "
        return all(f" {' '.join(phrase)} " in padded for phrase in self.phrases)


@dataclass(frozen=True, slots=True)
class MessageHit:
    """A message that matched, with its excerpt (matches between the marks)."""

    message: Message
    snippet: str


def highlight(text: str, query: SearchQuery) -> str:
    """The whole of ``text`` with every matching word marked (names, e-mail addresses)."""
    return snippet(text, query, max_tokens=None)


def snippet(text: str, query: SearchQuery, *, max_tokens: int | None = SNIPPET_TOKENS) -> str:
    """An excerpt of ``text`` around its first match, matching words marked, like SQLite's
    ``snippet()``: at most ``max_tokens`` words, with an ellipsis where text was cut."""
    wanted = query.words
    found = [(m.start(), m.end(), fold(m.group()) in wanted) for m in _TOKEN.finditer(text)]
    # fold() keeps one character per character for almost all text; where it does not
    # (ligatures), the match is judged on the word alone, which is still right.
    if not found:
        return text[:200]
    first, last = 0, len(found)
    if max_tokens is not None and len(found) > max_tokens:
        hit = next((i for i, (_, _, marked) in enumerate(found) if marked), 0)
        first = max(0, min(hit - max_tokens // 4, len(found) - max_tokens))
        last = first + max_tokens
    start = 0 if first == 0 else found[first][0]
    end = len(text) if last == len(found) else found[last - 1][1]
    parts = [ELLIPSIS if first > 0 else ""]
    cursor = start
    for begin, finish, marked in found[first:last]:
        if not marked:
            continue
        parts += [text[cursor:begin], MARK_START, text[begin:finish], MARK_END]
        cursor = finish
    parts += [text[cursor:end], ELLIPSIS if end < len(text) else ""]
    return "".join(parts)
