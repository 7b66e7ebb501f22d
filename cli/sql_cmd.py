"""`lipas sql`: query the published, read-only snapshot (one statement, or a small REPL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.common import console, fail, positive_int_option
from core.settings import load_settings

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

PROMPT = "lipas> "
PIPE_WIDTH = 400
CONTINUATION = "  ...> "
REPL_HELP = (
    "Type SQL ending with ';' (it may span lines). Commands: .tables (list tables with their "
    "descriptions), .help, .quit"
)


def register(app: typer.Typer) -> None:
    """Add the sql command."""

    @app.command("sql")
    def sql(
        query: Annotated[
            str | None, typer.Argument(help="SQL to run; leave out for an interactive prompt.")
        ] = None,
        file: Annotated[
            Path | None, typer.Option("--file", "-f", help="Read the SQL from a file.")
        ] = None,
        csv: Annotated[
            Path | None, typer.Option("--csv", help="Also write the result to CSV.")
        ] = None,
        parquet: Annotated[
            Path | None, typer.Option("--parquet", help="Also write the result to Parquet.")
        ] = None,
        suppress: Annotated[
            bool, typer.Option("--suppress", help="Mask small counts (for sharing outside Ditjen).")
        ] = False,
        threshold: Annotated[
            int | None,
            typer.Option(help="Suppression threshold (default LIPAS_SUPPRESSION_THRESHOLD or 5)."),
        ] = None,
        max_rows: Annotated[
            int, typer.Option(help="Rows shown on screen (exports get every row).")
        ] = 50,
    ) -> None:
        """Query the published warehouse snapshot read-only (safe while the pipeline runs)."""
        from publishing.sql_access import SnapshotMissingError, connect_published

        positive_int_option(threshold, "--threshold")
        positive_int_option(max_rows, "--max-rows")
        if file is not None and query is not None:
            fail("give the SQL either as an argument or with --file, not both")
        if file is not None:
            if not file.is_file():
                fail(f"--file {file} not found")
            query = file.read_text(encoding="utf-8")
        try:
            con = connect_published(load_settings())
        except SnapshotMissingError as exc:
            fail(str(exc))
        out = Console()
        if not out.is_terminal:
            # Piped or redirected output: never squeeze columns to a guessed 80-column width.
            out = Console(width=PIPE_WIDTH)
        try:
            if query is None or not query.strip():
                _repl(con, out, input, suppress, threshold, max_rows)
                return
            _run_one(con, out, query, csv, parquet, suppress, threshold, max_rows)
        finally:
            con.close()


def _run_one(
    con: duckdb.DuckDBPyConnection,
    out: Console,
    query: str,
    csv: Path | None,
    parquet: Path | None,
    suppress: bool,
    threshold: int | None,
    max_rows: int,
) -> None:
    import duckdb

    from publishing.sql_access import run_query, write_result

    try:
        frame = run_query(con, query, suppress=suppress, threshold=threshold)
    except duckdb.Error as exc:
        fail(str(exc), code=1)
    write_result(frame, csv=csv, parquet=parquet)
    _show(out, frame, max_rows)
    for path in (csv, parquet):
        if path is not None:
            console.print(f"wrote {len(frame)} rows to {path}")


def _show(out: Console, frame: pd.DataFrame, max_rows: int) -> None:
    table = Table(show_lines=False, header_style="bold")
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*("" if _is_missing(v) else str(v) for v in row))
    out.print(table)
    hidden = len(frame) - min(len(frame), max_rows)
    more = f" ({hidden} more not shown: use --csv or --max-rows)" if hidden else ""
    out.print(f"{len(frame)} rows{more}")


def _is_missing(value: object) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _repl(
    con: duckdb.DuckDBPyConnection,
    out: Console,
    read_line: Callable[[str], str],
    suppress: bool,
    threshold: int | None,
    max_rows: int,
) -> None:
    """Read statements until `.quit` or end of input; errors are shown and the prompt returns."""
    import duckdb

    from publishing.sql_access import (
        list_tables,
        run_query,
        short_description,
        statement_complete,
    )

    out.print(f"published warehouse (read-only). {REPL_HELP}")
    buffer = ""
    while True:
        try:
            line = read_line(CONTINUATION if buffer else PROMPT)
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        command = line.strip()
        if not buffer and command in (".quit", ".exit", "\\q"):
            return
        if not buffer and command == ".help":
            out.print(REPL_HELP)
            continue
        if not buffer and command == ".tables":
            for info in list_tables(con):
                described = escape(short_description(info.comment))
                out.print(f"{info.schema}.{info.name}  [dim]{described}[/dim]", soft_wrap=True)
            continue
        buffer = f"{buffer}\n{line}" if buffer else line
        if not statement_complete(buffer):
            continue
        try:
            _show(out, run_query(con, buffer, suppress=suppress, threshold=threshold), max_rows)
        except duckdb.Error as exc:
            out.print(f"[bold red]error:[/bold red] {exc}")
        buffer = ""
