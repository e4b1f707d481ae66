from server.storage.messages.base import Appended, MessageStore

__all__ = ["Appended", "MessageStore"]
