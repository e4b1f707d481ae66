"""Masking what a visitor should not show an agent before they decide to send it.

Typing previews leave the visitor's page while they type; card numbers, e-mail addresses
and phone numbers in them are masked here (and, with the same rules, by the widget's
``redact.js`` before they leave the page). Masking replaces every letter and digit of a
match with ``•`` and keeps separators, so the ghost text keeps its length and shape.

Rules, applied in this order:

1. An e-mail address: any word with an ``@`` after at least one character
   (``ana@example.com``, and ``ana@exa`` while it is still being typed).
2. A card number: 13-19 digits, optionally grouped by spaces, dashes or dots, that pass
   the Luhn check. A longer run of digit groups with such a sequence inside is masked
   whole.
3. A phone number: 7-12 digits with the usual separators, or ``+`` and 7-15 digits.
   Dates written ``2026-01-31`` or ``31.01.2026`` are not phone numbers.
4. Digits still being typed: a run of 7 or more digits at the very end of the text
   (separators may follow) is masked, because it may be the start of a card number whose
   Luhn digit has not arrived yet. Once something else follows it, rules 2 and 3 decide.

The stored message is never touched: this is for previews only.
"""

from __future__ import annotations

import re

MASK = "\u2022"

_EMAIL = re.compile(r"[^\s@]+@[^\s@]*")
_RUN = re.compile(r"\+?\(?\d(?:[ .()-]{0,2}\d)*", re.ASCII)
_SEPARATORS = re.compile(r"[ .()-]*")
_GROUP = re.compile(r"\d+", re.ASCII)
_DATE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{2,4})$", re.ASCII)
_ALNUM = re.compile(r"[^\W_]")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _mask(text: str) -> str:
    return _ALNUM.sub(MASK, text)


def _has_card(run: str) -> bool:
    """Whether consecutive digit groups of ``run`` form a Luhn-valid card number."""
    groups = _GROUP.findall(run)
    for first in range(len(groups)):
        digits = ""
        for group in groups[first:]:
            digits += group
            if len(digits) > 19:
                break
            if len(digits) >= 13 and luhn_valid(digits):
                return True
    return False


def _redact_run(run: str, trailing: bool) -> str:
    count = sum(c.isdigit() for c in run)
    plus = run.startswith("+")
    phone = (7 <= count <= 15) if plus else (7 <= count <= 12)
    if phone and not _DATE.match(run):
        return _mask(run)
    if (trailing and count >= 7) or _has_card(run):
        return _mask(run)
    return run


def redact(text: str) -> str:
    """``text`` with e-mail addresses, card numbers and phone numbers masked."""
    text = _EMAIL.sub(lambda m: _mask(m.group()), text)
    out: list[str] = []
    position = 0
    for match in _RUN.finditer(text):
        start, end = match.span()
        if start and (text[start - 1].isalnum() or text[start - 1] in "_" + MASK):
            continue  # part of a word such as "A320neo" or an already masked address
        trailing = _SEPARATORS.fullmatch(text, end) is not None
        out.append(text[position:start])
        out.append(_redact_run(match.group(), trailing))
        position = end
    out.append(text[position:])
    return "".join(out)
