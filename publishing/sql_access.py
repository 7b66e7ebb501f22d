"""Read-only SQL against the published snapshot (`lipas sql`): connect, run, export."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from core.duckdb_connect import open_duckdb
from core.settings import Settings
from publishing.snapshot import snapshot_path
from publishing.suppression import infer_spec, suppress_small_cells

logger = logging.getLogger(__name__)

# The analyst's SQL is the point of `lipas sql`, so it is run as given; safety comes from the
# connection: read-only, no file or network access (no COPY TO, ATTACH, read_csv of other
# files), and the settings locked so a query cannot switch access back on.
READ_ONLY_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "lock_configuration": True,
}


class SnapshotMissingError(RuntimeError):
    """No snapshot has been published yet."""


@dataclass(frozen=True)
class TableInfo:
    """A table an analyst can query, for `.tables` and the guide."""

    schema: str
    name: str
    comment: str


def connect_published(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the published snapshot read-only.

    The connection keeps the snapshot it opened even when a new one is published meanwhile
    (the file is swapped by rename); reconnect to see the new data.
    """
    path = snapshot_path(settings)
    if not path.exists():
        raise SnapshotMissingError(
            f"no published snapshot at {path}: run `lipas publish` (or the nightly job) first"
        )
    return open_duckdb(str(path), read_only=True, config=dict(READ_ONLY_CONFIG))


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    suppress: bool = False,
    threshold: int | None = None,
) -> pd.DataFrame:
    """Run one statement and return its result; `suppress` masks small counts for export."""
    frame = con.execute(sql).df()
    if suppress:
        spec = infer_spec(frame)
        frame = suppress_small_cells(frame, spec.count_columns, threshold, rates=spec.rates)
    return frame


def list_tables(con: duckdb.DuckDBPyConnection) -> list[TableInfo]:
    """Tables of the snapshot with their descriptions (from the dbt docs)."""
    rows = con.execute(
        """
        select schema_name, table_name, coalesce(comment, '')
        from duckdb_tables()
        where database_name = current_database()
        order by schema_name = 'main', schema_name, table_name
        """
    ).fetchall()
    return [TableInfo(schema=r[0], name=r[1], comment=r[2]) for r in rows]


def short_description(text: str, width: int = 90) -> str:
    """The first sentence of a table description, cut at a word boundary with "…" if too long.

    Regression (issue 14 item 10): `.tables` cut descriptions mid-word at 90 characters.
    """
    line = " ".join(text.split())
    sentence_end = line.find(". ")
    if sentence_end != -1:
        line = line[: sentence_end + 1]
    if len(line) <= width:
        return line
    cut = line.rfind(" ", 0, width)
    return line[: cut if cut > 0 else width].rstrip(" ,;:-") + "…"


def write_result(frame: pd.DataFrame, csv: Path | None = None, parquet: Path | None = None) -> None:
    """Write a query result to CSV (UTF-8, header) and/or Parquet."""
    if csv is not None:
        csv.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(csv, index=False)
        logger.info("wrote %d rows to %s", len(frame), csv)
    if parquet is not None:
        parquet.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(parquet, index=False)
        logger.info("wrote %d rows to %s", len(frame), parquet)


def statement_complete(buffer: str) -> bool:
    """True when the REPL buffer ends a statement (`;` at the end, outside quotes and comments)."""
    text = buffer.strip()
    if not text.endswith(";"):
        return False
    try:
        duckdb.extract_statements(text)
    except duckdb.ParserException as exc:
        # An unterminated string, identifier or comment: the `;` is inside it, keep reading.
        # Any other syntax error is complete, and the user should see it now.
        return "unterminated" not in str(exc)
    return True
