"""`lipas build`: run `dbt build` on the warehouse (DuckDB or PostgreSQL) with a progress bar."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import typer

from orchestration.cli.common import console, fail

# dbt prints "12 of 219 START sql view model staging.stg_x" and "12 of 219 OK created ...".
_PROGRESS = re.compile(r"\b(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP)\b(.*)")


def build(
    target: Annotated[
        str | None,
        typer.Option(help="duckdb or postgres (default: LIPAS_DBT_TARGET, else duckdb)."),
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild incremental facts from scratch.")
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", "-s", help="dbt selection (repeatable), e.g. marts.indicators."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Reporting cut-off YYYY-MM-DD (default: today, Jakarta)."),
    ] = None,
) -> None:
    """Build the warehouse: dbt seeds, models, snapshots and tests, then print a summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from ingestion.settings import ConfigurationError, load_settings
    from orchestration.dbt_invocation import dbt_command, dbt_env, dbt_vars, run_dbt

    if target is not None and target not in ("duckdb", "postgres"):
        fail(f"--target must be duckdb or postgres, got {target!r}")
    as_of_date = None
    if as_of is not None:
        try:
            as_of_date = dt.date.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of {as_of!r} is not a date in the form YYYY-MM-DD")
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        fail(str(exc))
    chosen = target or settings.dbt_target
    if chosen == "duckdb":
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    env = dbt_env(settings, target=chosen)
    args = dbt_command(
        "build", select=select or (), full_refresh=full_refresh, vars_json=dbt_vars(as_of_date)
    )
    problems: list[str] = []
    with Progress(
        TextColumn("[bold]dbt build[/bold] ({task.fields[target]})"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("parsing project", total=None, target=chosen)

        def on_line(line: str) -> None:
            match = _PROGRESS.search(line)
            if match is None:
                return
            done, total, status, rest = match.groups()
            name = rest.strip().split(" ")[-1] if rest.strip() else ""
            progress.update(task, total=int(total), description=name[:60])
            if status != "START":
                progress.update(task, completed=int(done))
            if status in ("ERROR", "FAIL", "WARN"):
                problems.append(f"{status}: {rest.strip(' .')}")

        result = run_dbt(args, env, on_line=on_line)

    table = Table(title=f"dbt build on {chosen} in {result.seconds:.1f}s", show_header=True)
    table.add_column("status")
    table.add_column("count", justify="right")
    for status, count in sorted(result.counts.items()):
        table.add_row(status, str(count))
    console.print(table)
    for problem in problems[:20]:
        console.print(f"  [yellow]{problem}[/yellow]")
    if not result.success:
        console.print(result.output[-4000:], markup=False, highlight=False)
        fail("dbt build failed (output above)", code=1)
    where = settings.warehouse_path if chosen == "duckdb" else "PostgreSQL (LIPAS_PG_*)"
    console.print(f"[green]warehouse built[/green]: {where}")


def register(app: typer.Typer) -> None:
    """Attach `lipas build` to the CLI."""
    app.command("build")(build)
