"""Suggested replies: a site's saved replies ranked by BM25 against what the visitor asked.

The index of each site is built with ``bm25s`` (English stop words, Snowball stemming, so
"refunded" finds "refund") and kept in memory; it is rebuilt when the site's replies
change: on this node at once, on the others at their next use (the version in the cache).
Nothing leaves the server.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import Stemmer
from bm25s.tokenization import Tokenizer

from server.domain import SavedReply
from server.services.chat.saved_replies import SavedReplyService

log = logging.getLogger(__name__)

MAX_SITES = 500  # indexes kept in memory, least recently used dropped first
WORDS = re.compile(r"[-_.]+")


def _document(reply: SavedReply) -> str:
    """What a reply is found by: its shortcut and title count twice, then its text."""
    label = f"{WORDS.sub(' ', reply.shortcut)} {reply.title}"
    return f"{label} {label} {reply.text}"


def _tokenizer() -> Tokenizer:
    return Tokenizer(stemmer=Stemmer.Stemmer("english"), stopwords="en", lower=True)


class ReplyIndex:
    """BM25 over one site's replies (shared and personal: ranking filters by who asks)."""

    def __init__(self, replies: Sequence[SavedReply]) -> None:
        self.replies = list(replies)
        self._tokenizer = _tokenizer()
        self._bm25: bm25s.BM25 | None = None
        if self.replies:
            corpus = self._tokenizer.tokenize(
                [_document(r) for r in self.replies], return_as="tuple", show_progress=False
            )
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)

    def rank(self, query: str, agent_id: int, limit: int = 3) -> list[tuple[SavedReply, float]]:
        """The best ``limit`` replies this agent may use, best first; only real matches."""
        if self._bm25 is None or not query.strip():
            return []
        (tokens,) = self._tokenizer.tokenize(
            [query], update_vocab=False, return_as="string", show_progress=False
        )
        known = [t for t in tokens if t and t in self._bm25.vocab_dict]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        ranked = sorted(
            (
                (reply, float(score))
                for reply, score in zip(self.replies, scores, strict=True)
                if score > 0 and reply.owner_id in (None, agent_id)
            ),
            key=lambda pair: (-pair[1], pair[0].shortcut),
        )
        return ranked[:limit]


@dataclass(frozen=True, slots=True)
class _Entry:
    version: str | None
    index: ReplyIndex


class ReplySuggester:
    def __init__(self, replies: SavedReplyService, max_sites: int = MAX_SITES) -> None:
        self._replies = replies
        self._max_sites = max_sites
        self._indexes: OrderedDict[int, _Entry] = OrderedDict()
        replies.on_change(self.forget)

    async def forget(self, site_id: int) -> None:
        self._indexes.pop(site_id, None)

    async def index_of(self, site_id: int) -> ReplyIndex:
        version = await self._replies.version(site_id)
        entry = self._indexes.get(site_id)
        if entry is None or entry.version != version:
            replies = await self._replies.of_site(site_id)
            entry = _Entry(version, ReplyIndex(replies))
            log.debug("saved replies of site %s indexed: %d", site_id, len(replies))
        self._indexes[site_id] = entry
        self._indexes.move_to_end(site_id)
        while len(self._indexes) > self._max_sites:
            self._indexes.popitem(last=False)
        return entry.index

    async def suggest(
        self, site_id: int, agent_id: int, query: str, limit: int = 3
    ) -> list[tuple[SavedReply, float]]:
        return (await self.index_of(site_id)).rank(query, agent_id, limit)
