"""A socket's rooms, listed as it enters them, leave the manager as the library's do."""

from __future__ import annotations

import random

import socketio

from server.realtime.room_index import IndexedRooms


def _connect(manager: socketio.AsyncManager, sid: str, namespace: str) -> None:
    """What the library's pre_connect does with a given sid."""
    manager.basic_enter_room(sid, namespace, None, eio_sid=f"eio-{sid}")
    manager.basic_enter_room(sid, namespace, sid, eio_sid=f"eio-{sid}")


def _rooms(manager: socketio.AsyncManager) -> dict:
    return {
        ns: {room: dict(members) for room, members in rooms.items()}
        for ns, rooms in manager.rooms.items()
    }


def test_the_same_rooms_as_the_library_through_entries_leaves_and_departures():
    ours, theirs = IndexedRooms(), socketio.AsyncManager()
    shuffle = random.Random(7)
    sids = [f"s{n}" for n in range(40)]
    for manager in (ours, theirs):
        for n, sid in enumerate(sids):
            namespace = "/visitor" if n % 4 else "/agent"
            _connect(manager, sid, namespace)
            manager.basic_enter_room(sid, namespace, f"site:{n % 3}")
            manager.basic_enter_room(sid, namespace, f"visitor:{n // 2}")
            manager.basic_enter_room(sid, namespace, f"visitor:{n // 2}")  # twice: once in
    order = sids[:]
    shuffle.shuffle(order)
    for n, sid in enumerate(order[:25]):
        namespace = "/visitor" if int(sid[1:]) % 4 else "/agent"
        for manager in (ours, theirs):
            if n % 5 == 0:
                manager.basic_leave_room(sid, namespace, f"site:{int(sid[1:]) % 3}")
            manager.pending_disconnect.setdefault(namespace, []).append(sid)
            manager.callbacks[sid] = {0: None}
            manager.basic_disconnect(sid, namespace)
        assert _rooms(ours) == _rooms(theirs)
        assert sid not in ours.callbacks and ours.pending_disconnect == theirs.pending_disconnect
    for sid in order[25:]:
        namespace = "/visitor" if int(sid[1:]) % 4 else "/agent"
        assert sorted(ours.get_rooms(sid, namespace)) == sorted(theirs.get_rooms(sid, namespace))
    for sid in order[25:]:
        namespace = "/visitor" if int(sid[1:]) % 4 else "/agent"
        for manager in (ours, theirs):
            manager.basic_disconnect(sid, namespace)
    assert ours.rooms == theirs.rooms == {}
    assert ours.get_rooms(order[0], "/visitor") == []


def test_a_closed_room_is_left_by_its_members_only():
    manager = IndexedRooms()
    for sid in ("a", "b"):
        _connect(manager, sid, "/visitor")
        manager.basic_enter_room(sid, "/visitor", "conversation:1")
    manager.basic_enter_room("a", "/visitor", "site:1")
    manager.basic_close_room("conversation:1", "/visitor")

    assert manager.get_rooms("a", "/visitor") == ["a", "site:1"]
    assert manager.get_rooms("b", "/visitor") == ["b"]
    manager.basic_disconnect("a", "/visitor")
    assert "site:1" not in manager.rooms["/visitor"]
    assert list(manager.rooms["/visitor"][None]) == ["b"]
