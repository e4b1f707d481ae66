"""Message search: the query and excerpts both stores share, and SQLite's FTS5 side."""
