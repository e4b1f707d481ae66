"""A visitor's rating of a resolved conversation: good, okay or bad, with a comment.

``RateConversation`` is the widget's payload parsed; ``why_not_rated`` names the reason
when the store kept nothing. ``ConversationService.rate`` does the change and publishes
``rating.created`` (the socket relay, webhooks and the report recorder hear it). Reports
keep their 1-5 scale: good is 5, okay 3, bad 1 (``Score.points``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.domain import (
    Conflict,
    Conversation,
    ConversationStatus,
    DomainError,
    InvalidInput,
    NotFound,
    Rating,
    Score,
)
from server.services import commands

MAX_COMMENT = 2000


@dataclass(frozen=True, slots=True)
class RateConversation:
    conversation_id: str
    score: Score
    comment: str = ""

    @classmethod
    def parse(cls, data: Any) -> RateConversation:
        data = commands.require_dict(data)
        conversation_id = commands.message_id(data, "conversation_id", required=True)
        score = data.get("score")
        if score not in {s.value for s in Score}:
            raise InvalidInput("score must be good, okay or bad")
        comment = data.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            raise InvalidInput(f"comment must be text of at most {MAX_COMMENT} characters")
        assert conversation_id is not None
        return cls(conversation_id, Score(score), comment.strip())

    def rating(self) -> Rating:
        return Rating(self.score, self.comment)


def why_not_rated(conversation: Conversation | None, visitor_id: str) -> DomainError:
    """The store kept no rating: the conversation is not this visitor's, is not resolved,
    or was rated since it was last resolved."""
    if conversation is None or conversation.visitor_id != visitor_id:
        return NotFound("no such conversation")
    if conversation.status is not ConversationStatus.RESOLVED:
        return Conflict("only a resolved conversation can be rated")
    return Conflict("this conversation has been rated already")


def rating_event_data(row: dict[str, Any], rating: Rating) -> dict[str, Any]:
    """``rating.created``: the conversation's row and the rating with its report points."""
    return {"conversation": row, "rating": {**rating.to_wire(), "points": rating.score.points}}
