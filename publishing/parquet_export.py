"""Parquet copies of the published marts, swapped in whole so readers never see a partial folder.

`published/parquet` (and `published/external`, see external.py) are symbolic links to a
versioned folder; a new export is written next to it and the link replaced by one atomic rename.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.duckdb_connect import open_duckdb
from publishing.catalog import SourceTable, list_source_tables, quote_ident
from publishing.fingerprint_table import read_stored, table_key
from publishing.parquet_partitions import (
    Fingerprints,
    link_unchanged,
    read_fingerprints,
    table_fingerprints,
    write_fingerprints,
)
from publishing.status import utc_now

logger = logging.getLogger(__name__)

PARQUET_LINK = "parquet"
# Tables with a `period` column and at least this many rows are hive-partitioned by period, so a
# reader that needs one month opens one folder; smaller tables are a single file.
PARTITION_MIN_ROWS = 100_000
KEEP_VERSIONS = 2  # the current folder and the previous one (a reader may still be in it)


def export_parquet(snapshot: Path, published_dir: Path) -> Path:
    """Export every `marts` table of the snapshot to `published/parquet/<table>/`.

    Periods of a partitioned table that did not change since the current version are linked
    from it, not written again (publishing.parquet_partitions).
    """
    link = published_dir / PARQUET_LINK
    previous = link.resolve() if link.is_symlink() and link.exists() else None
    before = read_fingerprints(previous)
    target = new_version_dir(published_dir, PARQUET_LINK)
    fingerprints: Fingerprints = {}
    con = open_duckdb(str(snapshot), read_only=True)
    try:
        known = read_stored(con)  # what the snapshot's build hashed already
        for table in list_source_tables(con, catalog_name(con), ("marts",)):
            stored = known.get(table_key(table.schema, table.name))
            reuse = _Reuse(previous, before.get(table.name), fingerprints, stored)
            _copy_table(con, table, target / table.name, reuse)
    finally:
        con.close()
    write_fingerprints(target, fingerprints)
    return swap_link(link, target)


@dataclass
class _Reuse:
    """The previous version and its fingerprints of one table; this version's, filled in."""

    previous: Path | None
    before: dict[str, object] | None
    now: Fingerprints
    stored: dict[str, object] | None = None  # the snapshot's record of this table, if any


def swap_link(link: Path, target: Path) -> Path:
    """Point `link` at `target` with one atomic rename, then prune old versions."""
    if link.exists() and not link.is_symlink():
        # A plain folder from a manual copy: move it aside rather than delete anything.
        link.rename(link.with_name(f"{link.name}-legacy-{uuid.uuid4().hex[:8]}"))
    tmp = link.with_name(f".{link.name}.link-{uuid.uuid4().hex}")
    tmp.symlink_to(target.name, target_is_directory=True)
    os.replace(tmp, link)
    _prune_versions(link, target)
    logger.info("%s now points at %s", link, target.name)
    return link


def new_version_dir(published_dir: Path, prefix: str) -> Path:
    """A fresh, uniquely named folder for the next version of an export."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%S")
    path = published_dir / f"{prefix}-{stamp}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def catalog_name(con: duckdb.DuckDBPyConnection) -> str:
    """Name of the database a connection opened (its catalog in information_schema)."""
    row = con.execute("select current_database()").fetchone()
    return str(row[0]) if row else "main"


def _copy_table(
    con: duckdb.DuckDBPyConnection, table: SourceTable, out: Path, reuse: _Reuse
) -> None:
    relation = f"{quote_ident(table.schema)}.{quote_ident(table.name)}"
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [table.schema, table.name],
        ).fetchall()
    }
    count_row = con.execute(f"select count(*) from {relation}").fetchone()
    rows = int(count_row[0]) if count_row else 0
    out.mkdir(parents=True)
    # COPY takes no bound parameter for its target; the path is ours (a fresh uuid folder).
    destination = str(out).replace("'", "''")
    if "period" in columns and rows >= PARTITION_MIN_ROWS:
        now = reuse.stored or table_fingerprints(con, relation)
        reuse.now[table.name] = now
        linked = link_unchanged(table.name, now, reuse.before, reuse.previous, out)
        # Linked periods match REUSABLE_PERIOD (digits and a dash): safe as literals.
        skip = ", ".join(f"'{p}'" for p in sorted(linked))
        rest = f"where period is null or period not in ({skip})" if skip else ""
        if linked:
            logger.info("%s: %d periods linked, the rest written", table.name, len(linked))
        con.execute(
            f"copy (select * from {relation} {rest}) to '{destination}' "
            "(format parquet, partition_by (period), write_partition_columns true, "
            "overwrite_or_ignore true)"
        )
    else:
        target = str(out / f"{table.name}.parquet").replace("'", "''")
        con.execute(f"copy (select * from {relation}) to '{target}' (format parquet)")


def _prune_versions(link: Path, current: Path) -> None:
    versions = sorted(
        (p for p in link.parent.glob(f"{link.name}-*") if p.is_dir() and not p.is_symlink()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    keep = {current, *versions[:KEEP_VERSIONS]}
    for old in versions:
        if old not in keep and "-legacy-" not in old.name:
            shutil.rmtree(old)
