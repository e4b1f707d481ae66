"""Ranking saved replies against the visitor's question: a hand-made set where the right
answer is obvious, and the index that follows the replies as they change."""

from __future__ import annotations

import pytest

from server.domain import SavedReply
from server.services.chat.suggestions import ReplyIndex, ReplySuggester
from server.storage.cache import MemoryCache

TEAM = None  # owner_id of a shared reply
AGENT, TEAMMATE = 7, 8


def reply(rid: int, shortcut: str, title: str, text: str, owner: int | None = TEAM) -> SavedReply:
    return SavedReply(id=rid, site_id=1, shortcut=shortcut, title=title, text=text, owner_id=owner)


REPLIES = [
    reply(1, "refund", "Refund policy", "You can ask for a refund within 30 days of delivery."),
    reply(2, "shipping-eu", "Shipping to Europe", "Parcels to Europe arrive in 3 to 5 days."),
    reply(3, "password", "Reset password", "Use 'Forgot password' on the sign-in page."),
    reply(4, "hours", "Opening hours", "We answer from 9:00 to 17:00, Monday to Friday."),
    reply(5, "invoice", "Invoices", "Your invoice is in your account under Orders."),
    reply(6, "cancel", "Cancel an order", "Orders can be cancelled until they are shipped."),
    reply(7, "sig", "My signature", "Cheers, Ana — shipping desk", owner=AGENT),
    reply(8, "tm-refund", "Refund (teammate)", "Refund refund refund refund", owner=TEAMMATE),
]


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("I want my money back, can I get a refund?", "refund"),
        ("hi, I was refunded only half", "refund"),  # stemming: refunded → refund
        ("How long does delivery to Germany take? Shipping to europe", "shipping-eu"),
        ("I forgot my password and can't sign in", "password"),
        ("When are you open? what are your hours", "hours"),
        ("where do I find the invoice for my order", "invoice"),
        ("please cancel my order before it is shipped", "cancel"),
    ],
)
def test_the_obvious_answer_ranks_first(question, best):
    ranked = ReplyIndex(REPLIES).rank(question, AGENT)
    assert ranked, question
    assert ranked[0][0].shortcut == best
    assert len(ranked) <= 3
    assert [score for _, score in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_nothing_in_common_suggests_nothing():
    index = ReplyIndex(REPLIES)
    assert index.rank("xylophone zebra quantum", AGENT) == []
    assert index.rank("   ", AGENT) == []
    assert index.rank("the and of", AGENT) == []  # stop words only
    assert ReplyIndex([]).rank("refund", AGENT) == []


def test_a_teammates_personal_reply_is_never_suggested():
    ranked = ReplyIndex(REPLIES).rank("refund refund", AGENT, limit=10)
    assert "tm-refund" not in [r.shortcut for r, _ in ranked]
    ranked = ReplyIndex(REPLIES).rank("refund refund", TEAMMATE, limit=10)
    assert ranked[0][0].shortcut == "tm-refund"


def test_the_page_breaks_a_tie():
    """Same words in the question; the page the visitor is on decides."""
    replies = [
        reply(1, "returns-shoes", "Returning shoes", "Send them back within 30 days."),
        reply(2, "returns-tents", "Returning tents", "Send them back within 30 days."),
    ]
    index = ReplyIndex(replies)
    assert index.rank("how do I send it back? Tents /shop/tents", AGENT)[0][0].id == 2
    assert index.rank("how do I send it back? Shoes /shop/shoes", AGENT)[0][0].id == 1


class FakeReplies:
    """The two things the suggester asks of SavedReplyService."""

    def __init__(self, replies: list[SavedReply]) -> None:
        self.replies = replies
        self.cache = MemoryCache()
        self.listeners: list = []
        self.loads = 0

    def on_change(self, listener) -> None:
        self.listeners.append(listener)

    async def version(self, site_id: int) -> str | None:
        return await self.cache.get(f"v{site_id}")

    async def of_site(self, site_id: int) -> list[SavedReply]:
        self.loads += 1
        return list(self.replies)


async def test_the_index_is_kept_and_rebuilt_when_replies_change():
    replies = FakeReplies(REPLIES[:2])
    suggester = ReplySuggester(replies)  # type: ignore[arg-type]
    assert (await suggester.suggest(1, AGENT, "refund please"))[0][0].shortcut == "refund"
    await suggester.suggest(1, AGENT, "shipping")
    assert replies.loads == 1  # kept between questions

    # Changed on this node: the listener drops the index at once.
    replies.replies = [*REPLIES[:2], REPLIES[2]]
    for listener in replies.listeners:
        await listener(1)
    assert (await suggester.suggest(1, AGENT, "password"))[0][0].shortcut == "password"
    assert replies.loads == 2

    # Changed on another node: only the version in the shared cache moved.
    replies.replies = [REPLIES[3]]
    await replies.cache.set("v1", "after-change", 60)
    assert (await suggester.suggest(1, AGENT, "opening hours"))[0][0].shortcut == "hours"
    assert await suggester.suggest(1, AGENT, "password") == []
    assert replies.loads == 3


async def test_only_so_many_sites_are_kept():
    replies = FakeReplies(REPLIES)
    suggester = ReplySuggester(replies, max_sites=2)  # type: ignore[arg-type]
    for site in (1, 2, 3, 1):
        await suggester.suggest(site, AGENT, "refund")
    assert replies.loads == 4  # site 1 was dropped for site 3, then built again
