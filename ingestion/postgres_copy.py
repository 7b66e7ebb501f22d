"""Copy the warehouse's input schemas (raw, ledger, quality) from DuckDB into PostgreSQL.

The grown-up deployment builds the same dbt project on PostgreSQL. DuckDB's postgres extension
cannot be downloaded here, so each table goes through a temporary CSV file and psycopg2's COPY,
which is also the fastest bulk path into PostgreSQL. A table is replaced as a whole (truncate,
or drop and create when the layout changed, then copy, in one transaction), so re-running a
copy never duplicates rows. Raw tables are indexed on submission_id and every copied table is
analysed, for the incremental facts' lookups of the new submissions.

A raw table whose layout is unchanged is brought level by submission instead: PostgreSQL keeps
a fingerprint (row count and row hash sum) of each submission's rows as copied, in
`lipas_copy.raw_submissions`, and a night copies only the submissions whose fingerprint is new
or changed (new files, masked or purged rows) and deletes the ones gone. Copying the whole raw
history was 87 s of a +1 month night at 200 Bapas x 3 years, more than dbt's build (issue 16).
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
# Submission ids are ours (ingestion's random base-36 text); anything else is copied whole.
_SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COPY_BOOKKEEPING = ("lipas_copy", "raw_submissions")
# When more submissions than this share changed (a DuckDB upgrade changes every hash), one whole
# copy is simpler and no slower.
MAX_CHANGED_SHARE = 0.5


class PostgresCopyError(RuntimeError):
    """A table could not be copied; the message names the table and the reason."""


@dataclass(frozen=True)
class CopiedTable:
    """One table copied into PostgreSQL."""

    schema: str
    table: str
    rows: int  # rows written this time
    by_submission: bool = False  # only new, changed or gone submissions were replaced


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


def _submission_fingerprints(
    con: duckdb.DuckDBPyConnection, schema: str, table: str
) -> dict[str, str] | None:
    """`count:hash sum` of each submission's rows; None when a row's id is not one of ours."""
    rows = con.execute(
        f'SELECT submission_id, count(*), sum(hash(t))::VARCHAR FROM "{schema}"."{table}" AS t '
        "GROUP BY submission_id"
    ).fetchall()
    if any(sid is None or not _SUBMISSION_ID.match(str(sid)) for sid, _n, _h in rows):
        return None
    return {str(sid): f"{n}:{h}" for sid, n, h in rows}


def _ensure_bookkeeping(cur: Any) -> Any:
    from psycopg2 import sql

    schema, name = COPY_BOOKKEEPING
    cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    target = sql.Identifier(schema, name)
    cur.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (table_name text NOT NULL, submission_id text NOT NULL,"
            " fingerprint text NOT NULL, PRIMARY KEY (table_name, submission_id))"
        ).format(target)
    )
    return target


def _copied_fingerprints(cur: Any, table: str) -> dict[str, str]:
    """What the earlier copies of raw.`table` recorded (empty: none, or a whole copy is due)."""
    from psycopg2 import sql

    cur.execute(
        sql.SQL("SELECT submission_id, fingerprint FROM {} WHERE table_name = %s").format(
            _ensure_bookkeeping(cur)
        ),
        (table,),
    )
    return {str(sid): str(fp) for sid, fp in cur.fetchall()}


def _record_fingerprints(
    cur: Any, table: str, fingerprints: dict[str, str], replaced: list[str] | None
) -> None:
    """Store what was copied: every submission (`replaced` None), or only the replaced ones."""
    import io

    from psycopg2 import sql

    target = _ensure_bookkeeping(cur)
    if replaced is None:
        cur.execute(sql.SQL("DELETE FROM {} WHERE table_name = %s").format(target), (table,))
        written = sorted(fingerprints)
    else:
        cur.execute(
            sql.SQL("DELETE FROM {} WHERE table_name = %s AND submission_id = ANY(%s)").format(
                target
            ),
            (table, replaced),
        )
        written = [sid for sid in replaced if sid in fingerprints]
    lines = "".join(f"{table}\t{sid}\t{fingerprints[sid]}\n" for sid in written)
    cur.copy_expert(
        sql.SQL("COPY {} (table_name, submission_id, fingerprint) FROM STDIN")
        .format(target)
        .as_string(cur),
        io.StringIO(lines),
    )


def _changed_submissions(now: dict[str, str] | None, before: dict[str, str]) -> list[str] | None:
    """Submissions to replace (new, changed or gone), or None when a whole copy is due."""
    if now is None or not before:
        return None
    changed = sorted(sid for sid in set(now) | set(before) if now.get(sid) != before.get(sid))
    return None if len(changed) > MAX_CHANGED_SHARE * max(len(now), 1) else changed


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
                names = [name for name, _ in columns]
                by_submission = schema == "raw" and "submission_id" in names
                fingerprints = (
                    _submission_fingerprints(con, schema, table) if by_submission else None
                )
                csv_path = Path(tmp) / f"{schema}.{table}.csv"
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
                    same_layout = existing == names
                    replaced = (
                        _changed_submissions(fingerprints, _copied_fingerprints(cur, table))
                        if by_submission and same_layout
                        else None
                    )
                    where = ""
                    if replaced is not None:
                        # Only new, changed or gone submissions (ids checked: ours, plain).
                        cur.execute(
                            sql.SQL("DELETE FROM {} WHERE submission_id = ANY(%s)").format(target),
                            (replaced,),
                        )
                        where = "WHERE submission_id IN ({})".format(
                            ", ".join(f"'{sid}'" for sid in replaced) or "NULL"
                        )
                    elif same_layout:
                        # Same layout: keep the table so dbt's views on it stay valid.
                        cur.execute(sql.SQL("TRUNCATE {}").format(target))
                    else:
                        cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(target))
                        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(target, column_defs))
                    # Identifiers are checked plain names from the catalog; the path is ours.
                    con.execute(
                        f'COPY (SELECT * FROM "{schema}"."{table}" {where}) TO \'{csv_path}\' '
                        "(FORMAT csv, HEADER false)"
                    )
                    with csv_path.open(encoding="utf-8") as handle:
                        cur.copy_expert(
                            sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv)")
                            .format(target)
                            .as_string(cur),
                            handle,
                        )
                    rows = int(cur.rowcount)
                    if by_submission:
                        _record_fingerprints(cur, table, fingerprints or {}, replaced)
                    if replaced is None or replaced:
                        _index_and_analyze(cur, schema, table, names)
                pg_connection.commit()
                if replaced is None:
                    logger.info("copied %s.%s (%d rows) to PostgreSQL", schema, table, rows)
                else:
                    logger.info(
                        "copied %s.%s to PostgreSQL: %d submissions replaced (%d rows)",
                        schema, table, len(replaced), rows,
                    )  # fmt: skip
                copied.append(CopiedTable(schema, table, rows, replaced is not None))
    finally:
        con.close()
    return copied
