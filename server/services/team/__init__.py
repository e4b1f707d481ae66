"""Agents: sign-in, sessions, two-factor, invites, roles and permissions, presence, personal
settings, API keys.
"""
