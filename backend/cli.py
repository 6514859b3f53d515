"""The ``loket`` command."""

from __future__ import annotations

import gc

# Importing the app makes ~230,000 objects that live as long as the process; the collector
# walked them again and again while they were made (0.55–0.65 s of CPU of every `loket serve`'s
# start, docs/benchmarks.md "cold start"). Off while this module imports; after the imports they
# are frozen (kept out of every later collection, as the served app's start-up does with what it
# loads) and the collector is on again.
gc.disable()

import asyncio
import getpass
import importlib
import os
import signal
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from typer.core import TyperGroup

from backend.accounts import service
from backend.content.cli import agenda_app, search_app
from backend.core.backup import BackupError, backup_sqlite, restore_sqlite
from backend.core.db import Database
from backend.core.logging import configure_logging
from backend.core.migrate import upgrade
from backend.core.server import uvicorn_options
from backend.core.settings import get_settings
from backend.core.worker import Worker
from backend.main import register_handlers
from backend.regions.importer import ImportFormatError
from backend.regions.service import ImportRefused, import_files
from backend.seeding import run_seed

# Command groups of domains a served app imports after it answers (backend.main): imported
# when asked for, so that `loket serve` does not import them first.
LATER_GROUPS = {"report": ("backend.insight.cli", "report_app")}


class Commands(TyperGroup):
    """``loket``'s commands. ``loket serve`` imports what serving needs: every other command
    first imports every table (``backend.models``: the foreign keys between domains), and the
    groups of ``LATER_GROUPS`` are imported when asked for (or listed)."""

    def list_commands(self, ctx: Any) -> list[str]:  # typer.Context's click (vendored)
        names = super().list_commands(ctx)
        return [*names, *(n for n in LATER_GROUPS if n not in names)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name != "serve":
            importlib.import_module("backend.models")
        if cmd_name in LATER_GROUPS and cmd_name not in self.commands:
            module, name = LATER_GROUPS[cmd_name]
            group = typer.main.get_group(getattr(importlib.import_module(module), name))
            group.name = cmd_name
            self.add_command(group, cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(help="Loket: run, migrate, seed and administer the portal.",
                  no_args_is_help=True, cls=Commands)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
regions_app = typer.Typer(help="Municipalities and postcodes (CBS files).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(regions_app, name="regions")
app.add_typer(search_app, name="search")
app.add_typer(agenda_app, name="agenda")

gc.freeze()
gc.enable()


def _database() -> Database:
    return Database.from_settings(get_settings())


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply the Alembic migrations."""

    upgrade(get_settings().database_url, revision=revision)
    typer.echo("database is up to date")


@db_app.command("backup")
def db_backup(path: Path) -> None:
    """SQLite: an online, checked copy of the database to PATH (PostgreSQL: use pg_dump)."""

    try:
        info = backup_sqlite(get_settings().database_url, path)
    except BackupError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"backup written to {info.path} ({info.bytes} bytes, {info.tables} tables, "
               f"revision {info.revision})")


@db_app.command("restore")
def db_restore(path: Path, yes: Annotated[bool, typer.Option(
        "--yes", help="replace the current database without asking")] = False) -> None:
    """SQLite: replace the database with the backup at PATH (stop the app and worker first),
    then migrate it to this version."""

    settings = get_settings()
    if not yes:
        typer.confirm(f"Replace the database of {settings.database_url} with {path}?",
                      abort=True)
    try:
        info = restore_sqlite(path, settings.database_url)
    except BackupError as exc:
        raise typer.BadParameter(str(exc)) from exc
    upgrade(settings.database_url)  # a backup of an older version is brought up to date
    typer.echo(f"restored {info.path} from revision {info.revision}; then migrated. Rebuild "
               "the search index: loket search reindex")


@app.command()
def seed() -> None:
    """Load the seed data (idempotent: existing items are updated, nothing is duplicated)."""

    report = run_seed(_database(), get_settings())
    for line in report:
        typer.echo(line)


@app.command()
def serve(host: Annotated[str | None, typer.Option(
              help="address to listen on [default: LOKET_HOST, 127.0.0.1]")] = None,
          port: Annotated[int | None, typer.Option(
              help="port [default: LOKET_PORT, 8000]; links in mails follow it unless "
                   "LOKET_BASE_URL is set")] = None,
          workers: Annotated[int, typer.Option(help="web processes")] = 1,
          reload: bool = False) -> None:
    """Serve the portal (with the outbox worker in-process unless LOKET_WORKER_IN_PROCESS=0)."""

    # The options become settings (also for worker processes, which read the environment), so
    # base_url, when not set, is derived from the address actually served.
    if host is not None:
        os.environ["LOKET_HOST"] = host
    if port is not None:
        os.environ["LOKET_PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    host, port = settings.host, settings.port

    # X-Forwarded-For/-Proto are believed only from LOKET_FORWARDED_ALLOW_IPS (the proxy);
    # request headers must arrive within LOKET_HEADER_TIMEOUT_SECONDS (backend/core/server.py).
    uvicorn.run("backend.main:app_factory", factory=True, host=host, port=port,
                workers=workers, reload=reload, **uvicorn_options(settings))


@app.command()
def worker() -> None:
    """Run the outbox worker and periodic jobs as a separate process."""

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    register_handlers()
    w = Worker(_database(), settings)
    # docker stop sends SIGTERM: finish the delivery in progress, record it, then exit.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: w.stop())
    asyncio.run(w.run())


@app.command("create-admin")
def create_admin(email: str, name: str = "Beheerder",
                 password: Annotated[str | None, typer.Option(
                     help="break-glass password (asked when omitted)")] = None) -> None:
    """Create (or update) the break-glass admin with a password."""

    db = _database()
    if password is None:
        password = getpass.getpass("Password (min. 12 characters): ")
    with db.transaction() as s:
        user = service.get_user_by_email(s, email)
        if user is None:
            user = service.create_user(s, email, name=name, roles=["admin"])
        else:
            assert user.id is not None
            service.grant_role(s, user.id, "admin")
        service.set_password(s, user, password)
        service.record_audit(s, "admin.break_glass_set", target_type="user", target_id=user.id)
    typer.echo(f"admin {email} is ready")


@token_app.command("create")
def token_create(name: str, role: Annotated[str, typer.Option(help="admin or editor")] = "editor",
                 user: Annotated[str | None, typer.Option(help="owner's e-mail")] = None) -> None:
    """Create an API token and print it once."""

    db = _database()
    with db.transaction() as s:
        owner_id = None
        if user:
            owner = service.get_user_by_email(s, user)
            if owner is None:
                raise typer.BadParameter(f"no user {user}")
            owner_id = owner.id
        _, plain = service.create_api_token(s, name=name, role=role, user_id=owner_id)
    typer.echo(plain)


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke an API token by id."""

    with _database().transaction() as s:
        service.revoke_api_token(s, token_id)
    typer.echo("revoked")


@regions_app.command("import")
def regions_import(
    municipalities: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False,
        help="CBS 'Gemeenten alfabetisch' or 'Gebieden in Nederland' saved as CSV")] = None,
    postcodes: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="CBS 'pc4 gemeente' / 'pc6hnr gemeente' as CSV")] = None,
    year: Annotated[int | None, typer.Option(
        help="year the division is valid for (default: from the file or its name)")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="show what would be added, changed and removed; change nothing")
    ] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="allow an import that removes more than 5 % of the municipalities "
                          "or postcodes loaded now")] = False,
) -> None:
    """Load the official CBS municipality and postcode files.

    Always shows the difference first (added, changed, removed, with examples). An import that
    would remove more than 5 % of what is loaded is refused without --replace. Municipalities
    missing from a national file are removed (they merged) but never their postcodes: those
    move with the CBS postcode file. COROP and labour-market regions the file lacks are kept.
    """

    if municipalities is None and postcodes is None:
        raise typer.BadParameter("give --municipalities and/or --postcodes")
    try:
        with _database().transaction() as s:
            plan, report = import_files(s, municipalities=municipalities, postcodes=postcodes,
                                        year=year, replace=replace, dry_run=dry_run)
    except ImportFormatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ImportRefused as exc:
        for line in exc.plan.lines():
            typer.echo(line)
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from exc
    for line in plan.lines():
        typer.echo(line)
    if report is None:
        typer.echo("dry run: nothing changed")
        return
    for line in report.lines():
        typer.echo(line)


if __name__ == "__main__":
    app()
