"""The documented REST API, in one table: each route with its query, body and reply models.

What is added here is validated by those models and described by ``/api/openapi.json``.
"""

from __future__ import annotations

from aiohttp import web

from server.http.api import (
    agent_settings,
    analytics,
    composer,
    conversations,
    inbox,
    message_edits,
    openapi,
    privacy,
    reports,
    search,
    uploads,
    writes,
)
from server.http.api import models as m  # the request models
from server.http.api import replies as r  # the reply models
from server.http.api.registry import ApiRegistry
from server.http.console import api as console_api
from server.services.reports.service import FIGURES

CONVERSATION = "/api/v1/conversations/{conversation_id}"
SITE = "/api/v1/sites/{site_id}"
MESSAGE = "/api/v1/messages/{message_id}"


def setup(router: web.UrlDispatcher, registry: ApiRegistry) -> None:
    add = registry.add
    tag = "account"
    add(router, "POST", "/api/v1/auth/login", conversations.login, summary="Sign in", tag=tag,
        body=m.LoginBody, reply=r.SignedIn, public=True)  # fmt: skip
    add(router, "POST", "/api/v1/auth/logout", conversations.logout, summary="Sign out", tag=tag,
        reply=r.Ok, public=True)  # fmt: skip
    add(router, "GET", "/api/v1/me", conversations.me, summary="Who is calling", tag=tag,
        reply=r.Me)  # fmt: skip
    add(router, "GET", "/api/v1/me/settings", agent_settings.get_settings,
        summary="Your alert settings", tag=tag, reply=r.AgentSettings)  # fmt: skip
    add(router, "PUT", "/api/v1/me/settings", agent_settings.put_settings,
        summary="Change your alert settings", tag=tag, body=m.AgentSettingsBody,
        reply=r.AgentSettings)  # fmt: skip

    tag = "conversations"
    add(router, "GET", "/api/v1/inbox", inbox.inbox, summary="The inbox",
        tag=tag, query=m.InboxQuery, reply=r.InboxPage)  # fmt: skip
    add(router, "GET", f"{SITE}/conversations", conversations.site_conversations,
        summary="A site's conversations", tag=tag, query=m.ConversationsQuery,
        reply=r.ConversationPage)  # fmt: skip
    add(router, "GET", f"{CONVERSATION}/messages", conversations.conversation_messages,
        summary="A conversation and its messages", tag=tag, query=m.PageQuery,
        reply=r.MessagePage)  # fmt: skip
    add(router, "POST", f"{CONVERSATION}/messages", writes.send_message,
        summary="Send a message to the visitor", tag=tag, body=m.SendMessageBody,
        reply=r.MessageReply)  # fmt: skip
    add(router, "POST", f"{CONVERSATION}/notes", writes.add_note,
        summary="Add a private note", tag=tag, body=m.NoteBody, reply=r.MessageReply)  # fmt: skip
    add(router, "POST", f"{CONVERSATION}/resolve", inbox.resolve,
        summary="Resolve", tag=tag, reply=r.ConversationReply)  # fmt: skip
    add(router, "POST", f"{CONVERSATION}/reopen", inbox.reopen,
        summary="Reopen", tag=tag, reply=r.ConversationReply)  # fmt: skip
    add(router, "POST", f"{CONVERSATION}/snooze", inbox.snooze,
        summary="Snooze", tag=tag, body=m.SnoozeBody, reply=r.ConversationReply)  # fmt: skip
    add(router, "POST", f"{CONVERSATION}/assign", inbox.assign,
        summary="Assign or unassign", tag=tag, body=m.AssignBody,
        reply=r.ConversationReply)  # fmt: skip
    add(router, "POST", f"{CONVERSATION}/tags", inbox.tags,
        summary="Add and remove tags", tag=tag, body=m.TagsBody,
        reply=r.ConversationReply)  # fmt: skip

    add(router, "GET", f"{CONVERSATION}/saved-replies", composer.saved_replies,
        summary="Saved replies, filled for this conversation", tag=tag,
        reply=r.SavedRepliesFilled)  # fmt: skip
    add(router, "GET", f"{CONVERSATION}/suggested-replies", composer.suggested_replies,
        summary="Suggested replies", tag=tag, reply=r.Suggestions)  # fmt: skip
    add(router, "PATCH", MESSAGE, message_edits.edit, summary="Edit your message", tag=tag,
        body=m.EditBody, reply=r.MessageReply)  # fmt: skip
    add(router, "DELETE", MESSAGE, message_edits.delete, summary="Delete your message",
        tag=tag, reply=r.MessageReply)  # fmt: skip
    add(router, "GET", f"{MESSAGE}/revisions", message_edits.history,
        summary="A message's earlier words", tag=tag, reply=r.Revisions)  # fmt: skip
    add(router, "GET", "/api/v1/search", search.search, summary="Search messages and people",
        tag=tag, query=m.SearchQuery, reply=r.SearchResults)  # fmt: skip
    add(router, "POST", "/api/v1/uploads", uploads.upload_with_key,
        summary="Upload a file to attach to a message", tag=tag, query=m.UploadQuery,
        reply=r.UploadReply, upload=True)  # fmt: skip

    tag = "visitors"
    add(router, "GET", f"{SITE}/visitors/online", analytics.online_visitors,
        summary="Visitors online now", tag=tag, reply=r.OnlineVisitors)  # fmt: skip
    add(router, "GET", f"{SITE}/visitors/{{visitor_id}}", analytics.visitor_profile,
        summary="A visitor's profile", tag=tag, reply=r.VisitorProfile)  # fmt: skip
    add(router, "GET", f"{SITE}/visitors/{{visitor_id}}/export", privacy.export_visitor,
        summary="Export a visitor's data", tag=tag, reply=r.VisitorExport)  # fmt: skip
    add(router, "DELETE", f"{SITE}/visitors/{{visitor_id}}", privacy.erase_visitor,
        summary="Erase a visitor", tag=tag, reply=r.VisitorErased)  # fmt: skip
    add(router, "GET", "/api/v1/contacts", search.contacts, summary="Contacts",
        tag=tag, query=m.ContactsQuery, reply=r.ContactPage)  # fmt: skip
    add(router, "GET", f"{SITE}/analytics/journeys", analytics.journeys,
        summary="Journeys: entry pages, paths, exits", tag=tag, query=m.JourneysQuery,
        reply=r.Journeys)  # fmt: skip

    tag = "reports"
    add(router, "GET", "/api/v1/reports", reports.all_figures, summary="Every report figure",
        tag=tag, query=m.ReportQuery, reply=r.Reports)  # fmt: skip
    add(router, "GET", "/api/v1/reports/{figure}", reports.one_figure,
        summary="One report figure", tag=tag, query=m.FigureQuery, reply=r.Figure,
        csv=True)  # fmt: skip
    add(router, "GET", f"{SITE}/sentiments", reports.conversation_sentiments,
        summary="Conversations' sentiment", tag=tag, query=m.SentimentsQuery,
        reply=r.Sentiments)  # fmt: skip
    add(router, "GET", f"{SITE}/report-settings", reports.get_settings,
        summary="Report settings", tag=tag, reply=r.ReportSettings)  # fmt: skip
    add(router, "PUT", f"{SITE}/report-settings", reports.put_settings,
        summary="Change report settings", tag=tag, body=m.ReportSettingsBody,
        reply=r.ReportSettings)  # fmt: skip

    console_api.setup(router, registry)  # the owner's console: /api/v1/sites/...

    openapi.setup(router, registry, FIGURES)
