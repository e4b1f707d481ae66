"""Every HTTP route, in one table."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server.http.api import routes as api_routes
from server.http.api import uploads
from server.http.api.registry import ApiRegistry
from server.http.console import pages as console_pages
from server.http.console import privacy_export as console_privacy
from server.http.ops import health, metrics
from server.http.pages import dashboard, onboarding, two_factor, unsubscribe
from server.http.widget import beacon
from server.http.widget import config as widget


def setup_routes(app: web.Application, static_dir: Path) -> None:
    router = app.router
    router.add_get("/", dashboard.index)
    router.add_get("/widget.js", widget.widget_js)
    router.add_get("/widget-chat.js", widget.widget_chat_js)
    router.add_get("/api/widget/config", widget.widget_config)
    router.add_post("/api/uploads", uploads.upload)
    router.add_route("OPTIONS", "/api/uploads", uploads.preflight)
    router.add_get("/uploads/{site_id}/{name}", uploads.serve)
    router.add_post("/api/visitor/beacon", beacon.visitor_beacon)
    router.add_get("/healthz", health.healthz)
    router.add_get("/readyz", health.readyz)
    router.add_get("/metrics", metrics.metrics)
    router.add_get("/dashboard", dashboard.app_page)
    router.add_get("/dashboard/login", dashboard.login_page)
    router.add_post("/dashboard/login", dashboard.login_submit)
    router.add_post("/dashboard/logout", dashboard.logout)
    api_routes.setup(router, ApiRegistry())  # the documented REST API and /api/openapi.json
    unsubscribe.setup(router)  # /mail/unsubscribe
    console_privacy.setup(router)  # /dashboard/settings/{site}/privacy/export
    console_pages.setup(router)  # /dashboard/settings/...
    onboarding.setup(router)  # /signup, /invite/{token}
    two_factor.setup(router)  # /dashboard/two-factor
    router.add_static("/static/", static_dir, name="static")
