"""A conversation and what is done in it: messages, typing previews, notes, edits, ratings,
saved and suggested replies, search.
"""
