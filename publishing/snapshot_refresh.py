"""A new snapshot starts as a copy of the current one; only changed periods are copied again.

Copying every mart and fact into a fresh file was most of `lipas publish` at three national
years (issue 16), though a night changes one month. The new snapshot is now a byte copy of
the published file; each table whose layout is unchanged and which has a `period` column gets
the rows of its changed periods replaced (fingerprints as in publishing.parquet_partitions),
every other table is copied whole. The published file itself is never opened for writing, so
readers keep their snapshot exactly as before, and the swap stays one rename.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb

from core.duckdb_connect import open_duckdb
from publishing.catalog import SourceTable, quote_ident
from publishing.fingerprint_table import Stored, table_key
from publishing.parquet_partitions import table_fingerprints

logger = logging.getLogger(__name__)

# A copied file keeps the blocks deleted rows freed; past this share it is rebuilt from scratch.
MAX_FREE_SHARE = 0.3
# When more periods than this share changed, one whole copy is cheaper than replacing them.
MAX_CHANGED_SHARE = 0.5
CHANGED_PERIODS = "_changed_periods"


def start_from_previous(previous: Path, target: Path) -> bool:
    """Copy the published snapshot to `target` when there is one; whether it was copied."""
    if not previous.is_file():
        return False
    shutil.copyfile(previous, target)
    target.chmod(0o644)
    return True


def too_fragmented(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the copied file is mostly free blocks (many nights of replaced periods)."""
    row = con.execute(
        "select free_blocks, total_blocks from pragma_database_size()"
        " where database_name = current_database()"
    ).fetchone()
    return bool(row and row[1] and row[0] / row[1] > MAX_FREE_SHARE)


def open_copy(target: Path) -> duckdb.DuckDBPyConnection | None:
    """The copied previous snapshot, or None to start afresh (fragmented, or unreadable)."""
    try:
        con = open_duckdb(target)
    except duckdb.Error as exc:
        logger.warning("previous snapshot unreadable, publishing a fresh copy: %s", exc)
        return None
    try:
        if too_fragmented(con):
            con.close()
            return None
    except duckdb.Error as exc:
        con.close()
        logger.warning("previous snapshot unreadable, publishing a fresh copy: %s", exc)
        return None
    return con


def kept_tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> set[SourceTable]:
    """Tables the copied snapshot already holds in the published schemas."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = current_database() and list_contains(?, table_schema)",
        [list(schemas)],
    ).fetchall()
    return {SourceTable(schema=str(s), name=str(n)) for s, n in rows}


def replace_changed_periods(
    con: duckdb.DuckDBPyConnection,
    source_alias: str,
    table: SourceTable,
    known: Stored | None = None,
    recorded: Stored | None = None,
) -> bool:
    """Bring the kept copy of `table` level with the source by period; False: copy it whole.

    Rows without a period are always replaced. Identifiers are quoted; periods are bound
    through a temporary table. `known` is the copy's own record of its fingerprints (read
    instead of hashing the copy); the source's fingerprint, which the table equals once it is
    replaced or copied whole, goes into `recorded`.
    """
    target = f"{quote_ident(table.schema)}.{quote_ident(table.name)}"
    source = f"{quote_ident(source_alias)}.{target}"
    if not _has_period(con, source):
        return False
    key = table_key(table.schema, table.name)
    # The copy's record is the source's fingerprint at the last publish: its periods dbt has
    # not written since are not hashed again (parquet_partitions.table_fingerprints).
    before = (known or {}).get(key)
    now = table_fingerprints(con, source, previous=before)
    if recorded is not None:
        recorded[key] = now
    if before is None or before.get("duckdb") != now["duckdb"]:
        before = table_fingerprints(con, target)
    if before["layout"] != now["layout"]:
        return False
    new_periods, old_periods = now["periods"], before["periods"]
    assert isinstance(new_periods, dict) and isinstance(old_periods, dict)
    changed = sorted(
        p for p in set(new_periods) | set(old_periods) if new_periods.get(p) != old_periods.get(p)
    )
    if len(changed) > MAX_CHANGED_SHARE * max(len(new_periods), 1):
        return False
    con.execute(f"create or replace temp table {CHANGED_PERIODS} (period varchar)")
    if changed:
        con.executemany(f"insert into {CHANGED_PERIODS} values (?)", [[p] for p in changed])
    keep = f"period is null or period in (select period from {CHANGED_PERIODS})"
    con.execute(f"delete from {target} where {keep}")
    con.execute(f"insert into {target} select * from {source} where {keep}")
    logger.info("%s: %d of %d periods replaced", table.name, len(changed), len(new_periods))
    return True


def record_copied(
    con: duckdb.DuckDBPyConnection, source_alias: str, table: SourceTable, recorded: Stored
) -> None:
    """A table copied whole: record its fingerprint unless replace_changed_periods did already.

    The next publish then reads it instead of hashing its copy, and the Parquet export of this
    one instead of hashing the new snapshot.
    """
    key = table_key(table.schema, table.name)
    source = f"{quote_ident(source_alias)}.{quote_ident(table.schema)}.{quote_ident(table.name)}"
    if key not in recorded and _has_period(con, source):
        recorded[key] = table_fingerprints(con, source)


def _has_period(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    columns = {str(r[0]) for r in con.execute(f"describe {relation}").fetchall()}
    return "period" in columns
