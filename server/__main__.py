"""The `porchlight` command: run | demo | migrate | create-site | create-agent | backup |
restore."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from server.backup import BackupError
from server.domain import DomainError, Role
from server.logs import configure_logging
from server.settings import ConfigError, Settings
from server.storage.messages.base import StoreSchemaError


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format)
        code = asyncio.run(args.handler(settings, args)) or 0
        if getattr(args, "server", False):
            _exit_now(code)
        return code
    except (BackupError, ConfigError, DomainError, OSError, StoreSchemaError) as error:
        print(f"porchlight: error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        print(f"porchlight: error: the database failed: {cause}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _exit_now(code: int) -> None:
    """The server stopped cleanly (connections closed, stores flushed and closed): skip
    tearing the interpreter down, which on a busy machine adds seconds to a restart."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="porchlight", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="bring the SQL database up to date and start the server")
    run.set_defaults(handler=_run, server=True)

    demo = commands.add_parser(
        "demo", help="migrate, seed a demo site and agent, and run with a demo host page"
    )
    demo.add_argument("--demo-port", type=int, default=None)
    demo.set_defaults(handler=_demo, server=True)

    migrate = commands.add_parser(
        "migrate", help="bring the SQL database and the message store up to date"
    )
    migrate.set_defaults(handler=_migrate)

    site = commands.add_parser("create-site", help="create a site and print its key")
    site.add_argument("--name", required=True)
    site.add_argument("--origin", action="append", default=[], metavar="URL")
    site.set_defaults(handler=_create_site)

    agent = commands.add_parser("create-agent", help="create an agent and add them to a site")
    agent.add_argument("--email", required=True)
    agent.add_argument("--password", required=True)
    agent.add_argument("--name")
    agent.add_argument("--site", required=True, metavar="SITE_KEY")
    agent.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENT.value)
    agent.set_defaults(handler=_create_agent)
    backup = commands.add_parser(
        "backup",
        help="write the SQLite files, uploads and secret key to one .tar.gz (safe while running)",
    )
    backup.add_argument("--output", metavar="FILE", help="default: porchlight-backup-<time>.tar.gz")
    backup.set_defaults(handler=_backup)

    recount = commands.add_parser(
        "reports-recount",
        help="count the Reports page's figures again from the conversations' report facts",
    )
    recount.set_defaults(handler=_reports_recount)

    restore = commands.add_parser(
        "restore", help="unpack a backup into an empty data directory (the server stopped)"
    )
    restore.add_argument("archive", metavar="FILE")
    restore.set_defaults(handler=_restore)
    return parser


async def _backup(settings: Settings, args: argparse.Namespace) -> None:
    from server.backup import backup, default_archive_name

    archive = Path(args.output or default_archive_name())
    report = await asyncio.to_thread(backup, settings, archive)
    print("\n".join([f"backup written to {report.archive}", *report.lines()]))


async def _restore(settings: Settings, args: argparse.Namespace) -> None:
    from server.backup import restore

    report = await asyncio.to_thread(restore, settings, Path(args.archive))
    print("\n".join([f"restored into {settings.data_dir}", *report.lines()]))


async def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    from server.storage.sql.migrate import upgrade_async

    await upgrade_async(settings.database_url)
    print("database is up to date")
    if settings.mongodb_url:
        from server.storage.messages.mongo import MongoMessageStore

        store = MongoMessageStore(settings.mongodb_url, settings.mongodb_database)
        try:
            await store.init()  # applies the pending steps of mongo_migrations
        finally:
            await store.close()
    else:
        from server.storage.messages import sqlite_migrate

        await asyncio.to_thread(sqlite_migrate.upgrade, settings.messages_db_path)
    print("message store is up to date")


async def _reports_recount(settings: Settings, args: argparse.Namespace) -> None:
    from server.app import open_message_store

    store = open_message_store(settings)
    await store.init()
    try:
        counted = await store.rebuild_report_counts()
    finally:
        await store.close()
    print(f"report counts rebuilt from {counted} conversations")


async def _create_site(settings: Settings, args: argparse.Namespace) -> None:
    from server.admin import admin_services

    async with admin_services(settings) as admin:
        site = await admin.sites.create_site(args.name, args.origin)
    print(site.site_key)


async def _create_agent(settings: Settings, args: argparse.Namespace) -> None:
    from server.admin import admin_services, create_agent

    async with admin_services(settings) as admin:
        agent = await create_agent(
            admin, args.email, args.password, args.site, Role(args.role), args.name
        )
    print(f"agent {agent.email} added to {args.site} as {args.role}")


async def _run(settings: Settings, args: argparse.Namespace) -> None:
    from server.serve import serve
    from server.storage.sql.migrate import upgrade_async

    # A fresh data directory needs its tables before the first request; an up-to-date
    # database is left as it is (the message store brings itself up to date at start).
    await upgrade_async(settings.database_url)
    await serve(settings)


async def _demo(settings: Settings, args: argparse.Namespace) -> None:
    from server.admin import DEMO_EMAIL, DEMO_PASSWORD, admin_services, seed_demo
    from server.serve import serve
    from server.storage.sql.migrate import upgrade_async

    demo_port = args.demo_port or settings.demo_port or settings.port + 1
    await upgrade_async(settings.database_url)
    async with admin_services(settings) as admin:
        site = await seed_demo(admin, settings, demo_port)
    base = settings.public_url or f"http://localhost:{settings.port}"
    print(
        "\n"
        f"  Porchlight is running.\n\n"
        f"  Dashboard      {base}/dashboard\n"
        f"  Demo login     {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
        f"  Demo website   http://localhost:{demo_port}/  (another origin, embeds the widget)\n\n"
        f"  Embed snippet for the demo site:\n"
        f'    <script async src="{base}/widget.js" data-site="{site.site_key}"></script>\n',
        flush=True,
    )
    await serve(settings, demo=(demo_port, site.site_key))


if __name__ == "__main__":
    sys.exit(main())
