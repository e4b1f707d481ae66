"""E-mail: the durable queue, its worker, templates, agent notices, replies and transcripts to
visitors.
"""
