"""The documented REST API under /api/v1: its registry, models and OpenAPI document, and each
area's routes.
"""
