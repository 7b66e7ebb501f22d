"""`lipas build`: run `dbt build` on the warehouse (DuckDB or PostgreSQL) with a progress bar.

On PostgreSQL the one command takes a fresh database to a built, tested warehouse: it copies
the inputs (raw, ledger, quality) from the DuckDB warehouse ingestion writes, runs `dbt build`
there, and grants the read-only analyst role on the marts (docs/warehouse.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import (
    DBT_TARGETS,
    choice_option,
    console,
    date_option,
    fail,
    judging_day_option,
)

if TYPE_CHECKING:
    from core.settings import Settings
    from orchestration.dbt_invocation import DbtResult

# dbt prints "12 of 219 START sql view model staging.stg_x" and "12 of 219 OK created ...".
_PROGRESS = re.compile(r"\b(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP)\b(.*)")
MAX_FAILURES_SHOWN = 20


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
        typer.Option(
            "--as-of",
            help="Judging day YYYY-MM-DD (default: LIPAS_AS_OF, LIPAS_HOME/instance.json, today).",
        ),
    ] = None,
    copy_inputs: Annotated[
        bool,
        typer.Option(
            "--copy-inputs/--no-copy-inputs",
            help="postgres: first copy raw, ledger and quality from the DuckDB warehouse.",
        ),
    ] = True,
) -> None:
    """Build the warehouse: dbt seeds, models, snapshots and tests, then print a summary."""
    from core.settings import ConfigurationError, load_settings
    from orchestration.dbt_invocation import dbt_command, dbt_env, use_full_refresh_memory

    choice_option(target, "--target", DBT_TARGETS)
    date_option(as_of)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        fail(str(exc))
    as_of_date = judging_day_option(as_of)
    chosen = target or settings.dbt_target
    # The judging day goes by env, not --vars: a changing --vars costs dbt a full re-parse.
    env = dbt_env(settings, target=chosen, as_of_date=as_of_date)
    if full_refresh:
        use_full_refresh_memory(env)
    args = dbt_command("build", select=select or (), full_refresh=full_refresh)
    # Only a whole rebuild of the nightly's target brings every table to the current code.
    records = full_refresh and not select and chosen == settings.dbt_target
    if chosen == "duckdb":
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        _report(_run_with_progress(args, env, chosen), chosen)
        if records:
            _record_build(settings)
        console.print(f"[green]warehouse built[/green]: {settings.warehouse_path}")
        return
    with _postgres() as conn:
        if copy_inputs:
            _copy_inputs(settings, conn)
        result = _run_with_progress(args, env, chosen)
        _report(result, chosen)
        _serve(conn, result)
    if records:
        _record_build(settings)


def _record_build(settings: Settings) -> None:
    """Store the code fingerprint, as the nightly does after its build.

    Regression: an operator's `lipas build --full-refresh` after an upgrade left the old
    fingerprint, so the next nightly announced "full refresh needed" and rebuilt all again.
    """
    from ingestion.pipeline import WarehouseBusyError, connect_writer
    from ingestion.upgrade import code_fingerprint, record_build

    try:
        with connect_writer(settings) as con:
            record_build(con, code_fingerprint())
    except WarehouseBusyError as exc:
        # The build itself succeeded; the cost is only one more full refresh at the nightly.
        console.print(
            f"[yellow]warning:[/yellow] code fingerprint not recorded ({exc}); the next "
            "nightly will run a full refresh again",
            soft_wrap=True,
        )
        return
    console.print("code fingerprint recorded: the next nightly needs no full refresh")


def _run_with_progress(args: list[str], env: dict[str, str], target: str) -> DbtResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from orchestration.dbt_invocation import run_dbt

    with Progress(
        TextColumn("[bold]dbt build[/bold] ({task.fields[target]})"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("parsing project", total=None, target=target)

        def on_line(line: str) -> None:
            match = _PROGRESS.search(line)
            if match is None:
                return
            done, total, status, rest = match.groups()
            name = rest.strip().split(" ")[-1] if rest.strip() else ""
            progress.update(task, total=int(total), description=name[:60])
            if status != "START":
                progress.update(task, completed=int(done))

        return run_dbt(args, env, on_line=on_line)


def _report(result: DbtResult, target: str) -> None:
    """Counts per status; on failure the failing nodes (plain text) and where the log is."""
    from rich.table import Table

    from core.settings import DBT_PROJECT_DIR
    from core.settings_registry import setting

    log_dir = setting("DBT_LOG_PATH").raw() or DBT_PROJECT_DIR / "logs"
    table = Table(title=f"dbt build on {target} in {result.seconds:.1f}s", show_header=True)
    table.add_column("status")
    table.add_column("count", justify="right")
    for status, count in sorted(result.counts.items()):
        table.add_row(status, str(count))
    console.print(table)
    if result.success:
        return
    for failure in result.failures[:MAX_FAILURES_SHOWN]:
        console.print(f"  {failure}", markup=False, highlight=False, soft_wrap=True)
    if len(result.failures) > MAX_FAILURES_SHOWN:
        console.print(f"  ... and {len(result.failures) - MAX_FAILURES_SHOWN} more")
    if not result.failures:
        # dbt stopped before running any node (project or connection error): its last words.
        tail = "".join(result.output.splitlines(keepends=True)[-15:])
        console.print(tail, markup=False, highlight=False)
    fail(
        f"dbt build on {target} failed: {len(result.failures)} failing nodes "
        f"(full log: {Path(log_dir) / 'dbt.log'})",
        code=1,
    )


@contextmanager
def _postgres() -> Iterator[Any]:
    import psycopg2

    from publishing.postgres import pg_connect_kwargs

    try:
        conn = psycopg2.connect(**pg_connect_kwargs())
    except psycopg2.Error as exc:
        fail(f"cannot connect to PostgreSQL (LIPAS_PG_* variables): {str(exc).strip()}", code=1)
    try:
        yield conn
    finally:
        conn.close()


def _copy_inputs(settings: Settings, conn: Any) -> None:
    from publishing.postgres import PostgresPrivilegeError, copy_inputs_to_postgres

    with console.status("copying raw, ledger and quality into PostgreSQL..."):
        try:
            copied = copy_inputs_to_postgres(settings, conn)
        except (FileNotFoundError, PostgresPrivilegeError) as exc:
            fail(str(exc), code=1)
    rows = sum(t.rows for t in copied)
    console.print(f"inputs copied: {len(copied)} tables, {rows:,} rows")


def _serve(conn: Any, result: DbtResult) -> None:
    from publishing.postgres import PostgresPrivilegeError, grant_analyst_access

    manifest = result.target_path / "manifest.json" if result.target_path else None
    try:
        access = grant_analyst_access(conn, manifest_path=manifest)
    except PostgresPrivilegeError as exc:
        fail(str(exc), code=1)
    console.print(
        f"[green]warehouse built[/green]: PostgreSQL (LIPAS_PG_*), role {access.role} reads "
        f"{access.tables} tables in {', '.join(access.schemas)}"
    )


def register(app: typer.Typer) -> None:
    """Attach `lipas build` to the CLI."""
    app.command("build")(build)
