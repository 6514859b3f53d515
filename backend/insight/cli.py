"""``loket report quarterly --province PV23 --quarter 2026-Q4``: the quarterly PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backend.core.db import Database
from backend.core.errors import LoketError
from backend.core.settings import get_settings
from backend.insight import report, service

report_app = typer.Typer(help="Reports for those who steer.", no_args_is_help=True)


@report_app.command("quarterly")
def quarterly(
    province: Annotated[str, typer.Option(help="CBS province code, e.g. PV23")],
    quarter: Annotated[str, typer.Option(help="e.g. 2026-Q4 (an ended quarter)")],
    out: Annotated[Path | None, typer.Option(help="PDF file to write")] = None,
) -> None:
    """Write the quarterly report of a province as a PDF (charts included)."""

    # lazy: rich is 0.05 s of every `loket` command, `loket serve` included
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    db = Database.from_settings(get_settings())
    out = out or Path(f"loket-kwartaalrapport-{province.upper()}-{quarter}.pdf")
    access = service.Access(views=frozenset(service.VIEWS))
    steps = len(report.STEPS) * 2
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("kwartaalrapport", total=steps)

        def step(name: str) -> None:
            bar.update(task, advance=1, description=name)

        try:
            with db.transaction(write=False) as session:
                rep = report.build(session, province.upper(), quarter, access, progress=step)
                data = report.pdf_bytes(rep, progress=step)
        except LoketError as exc:
            raise typer.BadParameter(f"{exc.message} {exc.fields or ''}".strip()) from exc
    out.write_bytes(data)
    typer.echo(f"{out} ({len(data)} bytes)")
