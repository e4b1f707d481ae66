"""Search: FTS5 over messages (external content) and over visitors' names and e-mail
addresses (contentless), kept in step by triggers, and the contacts index. The messages and
visitors stored before this revision are indexed by it.

Written out in full, as it was when it shipped: later changes to
server/storage/messages/sqlite_search.py never change what this revision creates.

Revision ID: e0003_search
Revises: e0002_message_kind
Create Date: 2026-12-02 12:00:00
"""

from alembic import op

revision = "e0003_search"
down_revision = "e0002_message_kind"
branch_labels = None
depends_on = None

NAME = "coalesce(json_extract({row}.identity, '$.name'), '')"
EMAIL = "coalesce(json_extract({row}.identity, '$.email'), '')"


def visitor_values(row: str) -> str:
    return f"{row}.rowid, {NAME.format(row=row)}, {EMAIL.format(row=row)}, {row}.site_id"


SCHEMA = (
    """CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, site_id, content='messages', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, text, site_id) VALUES (new.rowid, new.text, new.site_id);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text, site_id)
        VALUES ('delete', old.rowid, old.text, old.site_id);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, site_id ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text, site_id)
        VALUES ('delete', old.rowid, old.text, old.site_id);
        INSERT INTO messages_fts(rowid, text, site_id) VALUES (new.rowid, new.text, new.site_id);
    END""",
    """CREATE VIRTUAL TABLE visitors_fts USING fts5(
        name, email, site_id, content='', tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER visitors_fts_insert AFTER INSERT ON visitors BEGIN
        INSERT INTO visitors_fts(rowid, name, email, site_id) VALUES ({visitor_values("new")});
    END""",
    f"""CREATE TRIGGER visitors_fts_delete AFTER DELETE ON visitors BEGIN
        INSERT INTO visitors_fts(visitors_fts, rowid, name, email, site_id)
        VALUES ('delete', {visitor_values("old")});
    END""",
    f"""CREATE TRIGGER visitors_fts_update AFTER UPDATE OF identity ON visitors
    WHEN old.identity IS NOT new.identity BEGIN
        INSERT INTO visitors_fts(visitors_fts, rowid, name, email, site_id)
        VALUES ('delete', {visitor_values("old")});
        INSERT INTO visitors_fts(rowid, name, email, site_id) VALUES ({visitor_values("new")});
    END""",
)

REBUILD = (
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    "INSERT INTO visitors_fts(rowid, name, email, site_id) "
    f"SELECT {visitor_values('visitors')} FROM visitors",
)

DROP = (
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "DROP TRIGGER visitors_fts_insert",
    "DROP TRIGGER visitors_fts_delete",
    "DROP TRIGGER visitors_fts_update",
    "DROP TABLE messages_fts",
    "DROP TABLE visitors_fts",
)


def upgrade() -> None:
    op.create_index("visitors_by_last_seen", "visitors", ["site_id", "last_seen"])
    for statement in (*SCHEMA, *REBUILD):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP:
        op.execute(statement)
    op.drop_index("visitors_by_last_seen", table_name="visitors")
