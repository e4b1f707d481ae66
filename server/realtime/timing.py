"""Socket.IO event handling time, for ``porchlight_event_seconds``.

Each namespace's ``trigger_event`` is wrapped; events without a handler are reported as
``other`` so a client cannot grow the metric's labels by inventing event names. Events
answered where their frame is read (``inline_<event>``, see ``shedding.py``) never reach
``trigger_event``: those methods are wrapped too, and an event one of them takes counts
under the same name as one its handler answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

import socketio


def time_events(
    namespace: socketio.AsyncNamespace,
    observe: Callable[[str, float], None],
    known: Collection[str] = (),
) -> None:
    """``known``: event names handled without an ``on_<event>`` method (console operations)."""
    original = namespace.trigger_event
    prefix = (namespace.namespace or "/").strip("/") or "root"

    labels: dict[str, str] = {}  # an event's name → its label (at most the handlers')

    def label_of(event: str) -> str:
        name = event if event in known or hasattr(namespace, f"on_{event}") else "other"
        label = f"{prefix}.{name}"
        if name != "other":
            labels[event] = label
        return label

    async def timed(event: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(event, *args)
        finally:
            label = labels.get(event) or label_of(event)
            observe(label, time.perf_counter() - started)

    namespace.trigger_event = timed  # type: ignore[method-assign]
    for attribute in dir(namespace):
        if attribute.startswith("inline_"):
            name = f"{prefix}.{attribute.removeprefix('inline_')}"
            setattr(
                namespace, attribute, _timed_inline(getattr(namespace, attribute), name, observe)
            )


def _timed_inline(
    inline: Callable[[str, Any], Any], name: str, observe: Callable[[str, float], None]
) -> Callable[[str, Any], Any]:
    perf_counter = time.perf_counter

    def timed(sid: str, data: Any) -> Any:
        started = perf_counter()
        answer = inline(sid, data)
        if answer is not None:  # else it goes on to its handler, timed there
            observe(name, perf_counter() - started)
        return answer

    return timed


def connected_count(sio: socketio.AsyncServer, namespace: str) -> Callable[[], int]:
    """Connections to ``namespace`` on this node (the manager's room of everyone in it)."""

    def count() -> int:
        return len(sio.manager.rooms.get(namespace, {}).get(None, {}))

    return count
