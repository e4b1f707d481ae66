from server.storage.messages.base import MessageStore

__all__ = ["MessageStore"]
