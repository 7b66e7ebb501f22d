"""`lipas ingest` (landing -> archive, raw tables, ledger, quarantine) and `lipas status`."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, fail

logger = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add the `ingest` and `status` commands to the CLI."""
    app.command("ingest")(ingest_command)
    app.command("status")(status_command)


def ingest_command(
    landing: Annotated[
        Path | None,
        typer.Option("--landing", help="Folder to ingest instead of LIPAS_HOME/landing."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Ingest every file under landing/; rejected files are quarantined, not lost.

    Exit code 0 when every file was processed (even if some were rejected); 1 when the run
    itself failed or another ingestion/nightly run holds the warehouse; 2 for bad usage.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from core.settings import ConfigurationError, load_settings
    from ingestion.pipeline import WarehouseBusyError, ingest_landing
    from ingestion.submit import FileResult

    if landing is not None and not landing.is_dir():
        fail(f"--landing {landing} is not a folder")
    try:
        settings = load_settings()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
        ) as bar:
            task = bar.add_task("ingest", total=None)

            def on_file(done: int, total: int, result: FileResult) -> None:
                bar.update(task, completed=done, total=total, description=result.status)

            summary = ingest_landing(settings, landing, on_file)
    except ConfigurationError as exc:
        fail(str(exc))
    except WarehouseBusyError as exc:
        # Another `lipas ingest` or the nightly run holds the warehouse: not a failure of this
        # run's input, and nothing was touched; one line instead of DuckDB's traceback.
        fail(str(exc), code=1)
    if as_json:
        typer.echo(json.dumps(asdict(summary), indent=2, default=str))
        return
    console.print(
        f"[bold]ingest[/bold]: {summary.accepted} accepted, {summary.superseded} superseded, "
        f"{summary.rejected} rejected, {summary.held} held, {summary.duplicate} duplicate, "
        f"{summary.already_ingested} already ingested; {summary.rows_loaded} rows loaded"
    )
    for result in summary.files:
        if result.status == "rejected":
            console.print(
                f"  [red]rejected[/red] {escape(result.original_path)} ({result.error_code}): "
                f"see quarantine/{result.submission_id}/laporan_penolakan.txt"
            )
        elif result.status == "held":
            console.print(
                f"  [yellow]held[/yellow] {escape(result.original_path)} ({result.error_code}): "
                f"see quarantine/{result.submission_id}/laporan_penolakan.txt; "
                f"`lipas release --submission {result.submission_id}` accepts it"
            )


def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print counts as JSON.")] = False,
) -> None:
    """Ledger counts by report kind and status."""
    from rich.table import Table

    from core.duckdb_connect import open_duckdb
    from core.settings import load_settings
    from ingestion.ledger import status_counts

    settings = load_settings()
    counts: list[tuple[str, str, int]] = []
    if settings.warehouse_path.exists():
        # Read-only: `status` never creates or changes anything in the warehouse.
        with open_duckdb(str(settings.warehouse_path), read_only=True) as con:
            found = con.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'ledger' AND table_name = 'submissions'"
            ).fetchone()
            if found and found[0]:
                counts = status_counts(con)
    if as_json:
        rows = [{"report_kind": k, "status": s, "count": n} for k, s, n in counts]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="ledger.submissions")
    for column in ("report_kind", "status", "count"):
        table.add_column(column)
    for kind, status, n in counts:
        table.add_row(kind, status, str(n))
    console.print(table)
