"""Visitors: presence and memory, fingerprints, GeoIP, journeys, identity, contacts, blocking,
and their privacy rights.
"""
