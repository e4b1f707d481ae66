"""JSON text from clients, decoded one way for HTTP bodies and socket packets.

- nesting deeper than ``orjson``'s limit (1,024) is refused as ``invalid``, never a
  RecursionError;
- a lone UTF-16 surrogate (``"\\ud800"``: half an emoji, cut by a script) is accepted and
  replaced by U+FFFD, so text that cannot be stored as UTF-8 never reaches a store;
- anything else that is not JSON is ``invalid``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from server.domain import InvalidInput


@dataclass(frozen=True, slots=True)
class UnreadablePayload:
    """Stands in for a socket payload that could not be decoded, so the event still gets
    an answer (``invalid`` with ``reason``) instead of being dropped unanswered."""

    reason: str


def decode_json(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        if "surrogate" not in str(error):
            raise InvalidInput(_reason(error)) from None
    try:
        return _replace_lone_surrogates(json.loads(text))
    except (ValueError, RecursionError):
        raise InvalidInput("the payload is not valid JSON") from None


def _reason(error: orjson.JSONDecodeError) -> str:
    if "depth" in str(error) or "recursion" in str(error):
        return "the payload is nested too deeply"
    return "the payload is not valid JSON"


def _clean(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _replace_lone_surrogates(data: Any) -> Any:
    """Walks without recursion: the payload may be deep."""
    if isinstance(data, str):
        return _clean(data)
    stack = [data] if isinstance(data, dict | list) else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                value = node.pop(key)
                node[_clean(key)] = _clean(value) if isinstance(value, str) else value
                if isinstance(value, dict | list):
                    stack.append(value)
        else:
            for index, value in enumerate(node):
                if isinstance(value, str):
                    node[index] = _clean(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
    return data
