"""Full-text search in the embedded store: SQLite FTS5 (tables and triggers: migration
migrations/embedded/versions/e0003_search.py).

``messages_fts`` is an external-content table over ``messages`` (the text is not stored
twice) kept in step by triggers; ``visitors_fts`` is a contentless table over the
visitors' names and e-mail addresses, also kept by triggers. Both index ``site_id`` as a
column of its own, so a search names its sites inside the MATCH expression and FTS5
intersects the lists itself: a site's search never reads another site's rows, and
bm25() scores only the rows that are in the answer (the site column weighs nothing).
Best match ranks the newest ``search.BEST_WINDOW`` matches: scoring every match of a common
word in a big site takes seconds, and the newest matches are the ones a desk looks for.

Newest first is the FTS5 rowid order read backwards, which FTS5 serves without sorting:
a message's rowid is the order it was stored in. The store never runs VACUUM, which could
renumber those rowids; after a manual VACUUM, run the REBUILD statements of e0003_search
(for ``visitors_fts``, after ``INSERT INTO visitors_fts(visitors_fts) VALUES ('delete-all')``).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.storage.search.query import MARK_END, MARK_START, SNIPPET_TOKENS, SearchQuery


def is_search_table(name: str | None) -> bool:
    """The FTS5 tables and their shadow tables: made by migration e0003_search, not
    described in sqlite_schema.py (Alembic's comparison leaves them alone)."""
    return name is not None and name.startswith(("messages_fts", "visitors_fts"))


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: compare everything but the search tables."""
    return not (type_ == "table" and is_search_table(name))


def site_filter(site_ids: Sequence[int]) -> str:
    return f"site_id : ({' OR '.join(str(int(s)) for s in site_ids)})"


def message_match(site_ids: Sequence[int], query: SearchQuery) -> str:
    return f"{site_filter(site_ids)} AND {query.fts5('text')}"


def visitor_match(site_ids: Sequence[int], query: SearchQuery) -> str:
    return f"{site_filter(site_ids)} AND {query.fts5('{name email}')}"


SNIPPET = f"snippet(messages_fts, 0, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS})"
# The rowid of the BEST_WINDOW-th newest match: best match ranks the matches from there on.
WINDOW_FLOOR = (
    "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"
)
ORDER_BY = {
    "newest": "messages_fts.rowid DESC",
    "best": "bm25(messages_fts, 1.0, 0.0), messages_fts.rowid DESC",
}
