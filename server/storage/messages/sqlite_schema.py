"""What the embedded message store's tables look like now (SQLAlchemy Core).

Migrations make the tables, never ``create_all``: ``migrations/embedded/versions`` holds
every change, and ``SqliteMessageStore.init`` and ``porchlight migrate`` run them. This
metadata is the description that the migrations must produce (``tests/storage/
test_sqlite_migrations.py`` compares them) and what ``alembic --name embedded revision
--autogenerate`` diffs against. The store's queries are plain SQL over the column lists in
``sqlite_rows.py``, which keeps datetimes as naive UTC text (``DATETIME`` here).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

visitors = Table(
    "visitors",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("fingerprint", Text),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("visits", Integer, nullable=False),
    Column("session_id", Text),
    Column("geo", JSON, nullable=False),
    Column("device", JSON, nullable=False),
    Column("identity", JSON, nullable=False),
    Column("flags", JSON, nullable=False),
    Index("visitors_by_fingerprint", "site_id", "fingerprint", "last_seen"),
    Index("visitors_by_last_seen", "site_id", "last_seen"),  # contacts, newest first
)

page_views = Table(
    "page_views",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("visitor_id", Text, nullable=False),
    Column("session_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("referrer", Text, nullable=False),
    Column("entered_at", DateTime, nullable=False),
    Column("left_at", DateTime),
    Column("seconds", Float),
    Index("page_views_by_visitor", "site_id", "visitor_id", "id"),
    Index("page_views_by_session", "site_id", "session_id", "id"),
    Index("page_views_by_site", "site_id", "id"),  # journey analytics over a period
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("visitor_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("assignee_id", Integer),
    Column("created_at", DateTime, nullable=False),
    Column("last_activity_at", DateTime, nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("preview", Text, nullable=False),
    Column("unread_by_agent", Integer, nullable=False),
    Column("unread_by_visitor", Integer, nullable=False),
    Column("snoozed_until", DateTime),
    Column("resolved_at", DateTime),
    Column("tags", JSON, nullable=False, server_default="[]"),
    # The oldest unanswered visitor message's id, or "~": see rules.waiting_key.
    Column("waiting_key", Text, nullable=False, server_default="~"),
    # The visitor's rating as JSON: {score, comment, at}; NULL until rated.
    Column("rating", Text),
    Index("conversations_by_activity", "site_id", "activity_id"),
    Index("conversations_by_status", "site_id", "status", "activity_id"),
    Index("conversations_by_visitor", "site_id", "visitor_id", "status"),
    Index("conversations_by_assignee", "site_id", "status", "assignee_id", "activity_id"),
    Index("conversations_by_waiting", "site_id", "status", "waiting_key"),
    Index("conversations_to_wake", "status", "snoozed_until"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Text, primary_key=True),
    Column("conversation_id", Text, nullable=False),
    Column("site_id", Integer, nullable=False),
    Column("author_kind", Text, nullable=False),
    Column("author_id", Text, nullable=False),
    Column("author_name", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("edited_at", DateTime),
    Column("deleted_at", DateTime),
    Column("kind", Text, nullable=False, server_default="message"),  # MessageKind
    Column("reply_to", Text),  # the id of the message this one quotes
    # A resend of the same client_id is the same message: append relies on this.
    UniqueConstraint("conversation_id", "client_id", name="messages_client_id_once"),
    Index("messages_by_conversation", "conversation_id", "id"),
    Index("messages_by_author", "site_id", "author_kind", "author_id"),  # erasure
)

# The webhook outbox (server/storage/messages/outbox.py); times are epoch milliseconds.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("endpoint_id", Integer, nullable=False),
    Column("event", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_ms", Integer, nullable=False),
    Column("locked_until", Integer, nullable=False),
    Column("lease", Text),
    Column("last_attempt_ms", Integer),
    Column("response_status", Integer),
    Column("latency_ms", Integer),
    Column("response_excerpt", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("redelivery_of", Text),
    Index("webhook_deliveries_due", "status", "locked_until"),
    Index("webhook_deliveries_by_endpoint", "site_id", "endpoint_id", "id"),
)

# What a message said before each edit or its deletion (the audit view).
message_revisions = Table(
    "message_revisions",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("conversation_id", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("actor_kind", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("actor_name", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("message_revisions_by_message", "site_id", "message_id", "id"),
)

# Report facts (server/storage/messages/reports.py); times are epoch milliseconds.
report_conversations = Table(
    "report_conversations",
    metadata,
    Column("conversation_id", Text, primary_key=True),
    Column("site_id", Integer, nullable=False),
    Column("created_ms", Integer, nullable=False),
    Column("first_visitor_ms", Integer),
    Column("first_response_ms", Integer),
    Column("responder_id", Integer),
    Column("resolved_ms", Integer),
    Column("assignee_id", Integer),
    Column("visitor_messages", Integer, nullable=False, server_default="0"),
    Column("agent_messages", Integer, nullable=False, server_default="0"),
    Column("sentiment_sum", Float, nullable=False, server_default="0"),
    Column("sentiment_n", Integer, nullable=False, server_default="0"),
    Column("rating", Integer),
    Column("rating_comment", Text, nullable=False, server_default=""),
    Column("rated_ms", Integer),
    Index("report_conversations_by_created", "site_id", "created_ms"),
    Index("report_conversations_by_resolved", "site_id", "resolved_ms"),
    Index("report_conversations_by_rated", "site_id", "rated_ms"),
)

report_message_slots = Table(
    "report_message_slots",
    metadata,
    Column("site_id", Integer, primary_key=True),
    Column("slot_ms", Integer, primary_key=True),
    Column("visitor", Integer, nullable=False),
    Column("agent", Integer, nullable=False),
    Column("positive", Integer, nullable=False),
    Column("neutral", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
)

# Report counts per site and UTC quarter hour (server/storage/messages/report_counts.py),
# and the local days a report cached from them, per time zone.
report_counts = Table(
    "report_counts",
    metadata,
    Column("site_id", Integer, primary_key=True),
    Column("slot_ms", Integer, primary_key=True),
    Column("counts", Text, nullable=False),
    Column("changed_ms", Integer, nullable=False),
)

report_days = Table(
    "report_days",
    metadata,
    Column("site_id", Integer, primary_key=True),
    Column("zone", Text, primary_key=True),
    Column("start_ms", Integer, primary_key=True),
    Column("end_ms", Integer, nullable=False),
    Column("counts", Text, nullable=False),
    Index("report_days_by_start", "site_id", "start_ms"),
)

# What a site's owner set for its reports: the goal page, the time zone, the missed time.
report_settings = Table(
    "report_settings",
    metadata,
    Column("site_id", Integer, primary_key=True),
    Column("goal_path", Text, nullable=False, server_default=""),
    Column("time_zone", Text, nullable=False, server_default=""),
    Column("missed_after_minutes", Integer, nullable=False, server_default="5"),
)

# The e-mail queue (server/storage/messages/mail_queue.py); times are epoch milliseconds.
mail_queue = Table(
    "mail_queue",
    metadata,
    Column("id", Text, primary_key=True),
    Column("key", Text, nullable=False),
    Column("pending_key", Text, nullable=False),  # key while pending, unique; then the id
    Column("site_id", Integer, nullable=False),
    Column("kind", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("params", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_ms", Integer, nullable=False),
    Column("due_ms", Integer, nullable=False),
    Column("lease", Text),
    Column("finished_ms", Integer),
    Column("error", Text, nullable=False),
    Index("mail_queue_pending_key", "pending_key", unique=True),
    Index("mail_queue_due", "status", "due_ms"),
)

# Addresses that followed a mail's unsubscribe link: no more mail from that site.
mail_optouts = Table(
    "mail_optouts",
    metadata,
    Column("site_id", Integer, primary_key=True),
    Column("email", Text, primary_key=True),
    Column("at_ms", Integer, nullable=False),
)
