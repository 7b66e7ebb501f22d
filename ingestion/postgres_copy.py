"""Copy the warehouse's input schemas (raw, ledger, quality) from DuckDB into PostgreSQL.

The grown-up deployment builds the same dbt project on PostgreSQL. DuckDB's postgres extension
cannot be downloaded here, so each table goes through a temporary CSV file and psycopg2's COPY,
which is also the fastest bulk path into PostgreSQL. Every copied table is replaced as a whole
(truncate, or drop and create when the layout changed, then copy, in one transaction), so
re-running a copy never duplicates rows. Raw tables are indexed on submission_id and every
copied table is analysed, for the incremental facts' lookups of the new submissions.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from core.duckdb_connect import open_duckdb
from core.table_layout import UnknownSqlTypeError
from core.table_layout import postgres_type as core_postgres_type

logger = logging.getLogger(__name__)

COPIED_SCHEMAS: tuple[str, ...] = ("raw", "ledger", "quality")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class PostgresCopyError(RuntimeError):
    """A table could not be copied; the message names the table and the reason."""


@dataclass(frozen=True)
class CopiedTable:
    """One table copied into PostgreSQL."""

    schema: str
    table: str
    rows: int


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL column type for a DuckDB column type; raises on types we do not copy.

    The mapping is core.table_layout's (the same one dbt's ensure_quality_tables uses).
    """
    try:
        return core_postgres_type(duckdb_type)
    except UnknownSqlTypeError as exc:
        raise PostgresCopyError(str(exc)) from exc


def _checked(name: str) -> str:
    """Identifiers come from DuckDB's catalog; refuse anything that is not a plain name."""
    if not _IDENTIFIER.match(name):
        raise PostgresCopyError(f"refusing to copy a table or column named {name!r}")
    return name


def _tables(con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN (SELECT unnest(?::VARCHAR[])) AND table_type = 'BASE TABLE' "
        "ORDER BY table_schema, table_name",
        [list(schemas)],
    ).fetchall()
    return [(str(schema), str(table)) for schema, table in rows]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return [(_checked(str(name)), str(data_type)) for name, data_type in rows]


def _index_and_analyze(cur: Any, schema: str, table: str, columns: list[str]) -> None:
    """Index raw tables on submission_id and refresh the planner's statistics.

    The incremental facts read only the new submissions' rows (a literal list on submission_id,
    dbt macro new_submissions_filter): without an index every night still scans the whole raw
    history (issue 16). ANALYZE because a truncated and refilled table keeps the old statistics
    until autovacuum gets to it, and the dbt build starts right after the copy.
    """
    from psycopg2 import sql

    target = sql.Identifier(schema, table)
    if schema == "raw" and "submission_id" in columns:
        cur.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (submission_id)").format(
                sql.Identifier(f"{table}_submission_id_idx"), target
            )
        )
    cur.execute(sql.SQL("ANALYZE {}").format(target))


def copy_to_postgres(
    duckdb_path: Path,
    pg_connection: Any,
    schemas: Sequence[str] = COPIED_SCHEMAS,
) -> list[CopiedTable]:
    """Replace every table of `schemas` in PostgreSQL with its DuckDB content.

    Args:
        duckdb_path: the DuckDB warehouse file (opened read-only).
        pg_connection: an open psycopg2 connection; committed once per table.
        schemas: DuckDB schemas to copy (default raw, ledger, quality).

    Returns:
        The tables copied with their row counts.
    """
    from psycopg2 import sql  # heavy import kept out of module import time

    copied: list[CopiedTable] = []
    con = open_duckdb(str(duckdb_path), read_only=True)
    try:
        with tempfile.TemporaryDirectory(prefix="lipas_pgcopy_") as tmp:
            for schema, table in _tables(con, [_checked(s) for s in schemas]):
                _checked(table)
                columns = _columns(con, schema, table)
                csv_path = Path(tmp) / f"{schema}.{table}.csv"
                # Identifiers are checked plain names from the catalog; the path is ours.
                con.execute(
                    f'COPY (SELECT * FROM "{schema}"."{table}") TO \'{csv_path}\' '
                    "(FORMAT csv, HEADER false)"
                )
                target = sql.Identifier(schema, table)
                column_defs = sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(postgres_type(dtype)))
                    for name, dtype in columns
                )
                with pg_connection.cursor() as cur:
                    cur.execute(
                        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
                    )
                    cur.execute(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                        (schema, table),
                    )
                    existing = [str(name) for name, _ in cur.fetchall()]
                    if existing == [name for name, _ in columns]:
                        # Same layout: keep the table so dbt's views on it stay valid.
                        cur.execute(sql.SQL("TRUNCATE {}").format(target))
                    else:
                        cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(target))
                        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(target, column_defs))
                    with csv_path.open(encoding="utf-8") as handle:
                        cur.copy_expert(
                            sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv)")
                            .format(target)
                            .as_string(cur),
                            handle,
                        )
                    rows = int(cur.rowcount)
                    _index_and_analyze(cur, schema, table, [name for name, _ in columns])
                pg_connection.commit()
                logger.info("copied %s.%s (%d rows) to PostgreSQL", schema, table, rows)
                copied.append(CopiedTable(schema, table, rows))
    finally:
        con.close()
    return copied
