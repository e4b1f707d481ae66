"""Messages as an e-mail shows them: who, when, what (text only; attachments named)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.domain import AuthorKind, Message, MessageKind


@dataclass(frozen=True, slots=True)
class MailLine:
    author: str
    time: str
    text: str
    mine: bool  # written by the side that reads the mail
    new: bool  # news since the last mail (highlighted)


def mail_lines(
    messages: Sequence[Message],
    *,
    reader: AuthorKind,
    since_id: str = "",
    visitor_name: str = "You",
    team_name: str = "",
) -> list[MailLine]:
    """The visible messages (never notes or events), oldest first."""
    lines = []
    for m in messages:
        if m.kind is not MessageKind.MESSAGE or m.deleted_at is not None:
            continue
        by_visitor = m.author.kind is AuthorKind.VISITOR
        author = visitor_name if by_visitor else m.author.name or team_name
        text = m.text
        for attachment in m.attachments:
            text += f"\n[{attachment.filename or 'attachment'}]"
        lines.append(
            MailLine(
                author=author,
                time=m.created_at.strftime("%d %b %H:%M UTC"),
                text=text.strip(),
                mine=m.author.kind is reader,
                new=bool(since_id) and m.id >= since_id,
            )
        )
    return lines
