"""``loket search …``: maintenance of the search index."""

from __future__ import annotations

import typer

from backend.content import agenda, indexing
from backend.core.db import Database
from backend.core.errors import Invalid
from backend.core.settings import get_settings
from backend.search import SearchUnavailable

search_app = typer.Typer(help="The search index.", no_args_is_help=True)
agenda_app = typer.Typer(help="The agenda: import events from iCalendar feeds.",
                         no_args_is_help=True)


@agenda_app.command("import")
def agenda_import(source: str = typer.Argument(..., help="Web address or file of an .ics feed"),
                  draft: bool = typer.Option(False, "--draft",
                                             help="Import as drafts for an editor to publish")
                  ) -> None:
    """Import real events from an iCalendar feed (URL or FILE); running it again updates them.

    A web address needs network access from where this runs; otherwise download the feed and
    import the file.
    """

    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        data, url = agenda.read_source(source)
    except Exception as exc:  # network or file: say which, exit non-zero
        typer.echo(f"cannot read {source}: {exc}", err=True)
        raise typer.Exit(1) from exc
    try:
        with db.transaction() as session:
            result = agenda.import_ics(session, data, feed_url=url, publish=not draft)
    except Invalid as exc:
        typer.echo(f"{source}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"agenda: {result}")


@search_app.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database (every published item), with a progress bar.

    Readers keep the old index until the rebuild commits. Safe to run while the portal runs.
    """


    # lazy: rich is 0.05 s of every `loket` command, `loket serve` included
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    settings = get_settings()
    db = Database.from_settings(settings)
    total = indexing.count_published(db)
    try:
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn()) as bar:
            task = bar.add_task("Indexing", total=total)
            count = indexing.reindex(db, settings,
                                     progress=lambda n: bar.update(task, completed=n))
            bar.update(task, completed=count)
    except SearchUnavailable as exc:
        typer.echo(f"search engine unavailable: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"indexed {count} documents ({settings.search_backend})")


@search_app.command("status")
def status() -> None:
    """Engine health, documents in the index and messages still waiting to be indexed."""

    settings = get_settings()
    db = Database.from_settings(settings)
    try:
        health = indexing.backend_for(settings).health()
        typer.echo(f"backend: {health.backend}  ok: {health.ok}  documents: {health.documents}"
                   + (f"  ({health.detail})" if health.detail else ""))
    except Exception as exc:  # the engine may be down; say so and go on
        typer.echo(f"backend: {settings.search_backend}  unavailable: {exc}")
    typer.echo(f"published items: {indexing.count_published(db)}  "
               f"waiting to be indexed: {indexing.pending_messages(db)}")
