"""A visitor's rights: everything held about them as JSON, and erasure.

Export carries the profile, visits (page views), conversations, the messages the visitor
may see (the team's private notes never) and their attachments. Erasure forgets the
profile, its fingerprint and page views (so neither the visitor token nor the browser is
recognised again), keeps the conversation readable for the team with the visitor's lines
attributed to "Deleted visitor", deletes the files through the file store, and closes
the visitor's open widgets on every node (after the data is gone, so a closing socket
finds nothing to write back).
"""

from __future__ import annotations

import logging
from typing import Any

from server.domain import NotFound, iso, utcnow
from server.services.broadcast import Broadcaster
from server.services.protection.socket_caps import SocketCaps
from server.storage.files import FileStore, StorageError
from server.storage.messages import MessageStore

log = logging.getLogger("porchlight.privacy")

DELETED_VISITOR = "Deleted visitor"


class PrivacyService:
    def __init__(
        self,
        store: MessageStore,
        files: FileStore,
        sockets: SocketCaps | None = None,
        broadcast: Broadcaster | None = None,
    ) -> None:
        self._store = store
        self._files = files
        self._sockets = sockets  # where the visitor's open widgets are
        self._broadcast = broadcast

    async def export(self, site_id: int, visitor_id: str) -> dict[str, Any]:
        data = await self._store.export_visitor(site_id, visitor_id)
        if data is None:
            raise NotFound("no such visitor")
        visitor = data.visitor
        return {
            "exported_at": iso(utcnow()),
            "visitor": {
                "id": visitor.id,
                "site_id": visitor.site_id,
                "name": visitor.display_name,
                "identity": visitor.identity,
                "first_seen": iso(visitor.first_seen),
                "last_seen": iso(visitor.last_seen),
                "visits": visitor.visits,
                "geo": visitor.geo,
                "device": visitor.device,
                "flags": visitor.flags,
                "fingerprint_stored": visitor.fingerprint is not None,
            },
            "page_views": [view.to_wire() for view in data.page_views],
            "conversations": [c.to_wire() for c in data.conversations],
            "messages": [m.to_wire() for m in data.messages],
            "attachments": [a.to_wire() for m in data.messages for a in m.attachments],
        }

    async def erase(self, site_id: int, visitor_id: str) -> dict[str, Any]:
        files = await self._store.erase_visitor(site_id, visitor_id, DELETED_VISITOR)
        if files is None:
            raise NotFound("no such visitor")
        if self._sockets is not None and self._broadcast is not None:
            connections = await self._sockets.of_visitor(visitor_id)
            await self._broadcast.disconnect_visitor(visitor_id, sorted(connections))
        return {"files_deleted": await self.delete_files(site_id, files)}

    async def delete_files(self, site_id: int, attachments: list[Any]) -> int:
        """Delete the attachments' files kept by this server's file store; how many."""
        deleted = 0
        for attachment in attachments:
            if not attachment.name or attachment.storage != self._files.storage:
                continue
            try:
                await self._files.delete(site_id, attachment.name)
                deleted += 1
            except StorageError as error:
                log.warning("could not delete %s: %s", attachment.name, error)
        return deleted
