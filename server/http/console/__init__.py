"""The owner's console over HTTP: its JSON API (one route per console operation) and its
server-rendered pages.
"""
