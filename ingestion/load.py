"""Immutable per-submission Parquet files and the one-transaction load into raw.* tables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from core.contract.model import ReportKindSpec, SheetSpec, load_contract
from core.contract.raw_schema import RAW_SCHEMA, raw_tables

if TYPE_CHECKING:
    # Only the writer inserts; parse workers import this module without loading DuckDB.
    import duckdb


@lru_cache(maxsize=1)
def _contract_raw_tables() -> dict[str, tuple[ReportKindSpec, SheetSpec]]:
    """Raw table name -> (kind, sheet), computed once per process (the contract is fixed)."""
    return raw_tables(load_contract())


def parquet_path(raw_dir: Path, raw_table: str, submission_id: str) -> Path:
    """raw/<kind>/<sheet>/<submission_id>.parquet for a raw table name."""
    kind, sheet = _contract_raw_tables()[raw_table]
    return raw_dir / kind.kind / sheet.table_name / f"{submission_id}.parquet"


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write to a temp file, fsync, then rename: readers never see a half-written file.

    A file left by a run that crashed before its DB commit is simply overwritten by the re-run
    (same submission id); once committed it is never written again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def insert_parquet(con: duckdb.DuckDBPyConnection, raw_table: str, path: Path) -> None:
    """Append one Parquet file to raw.<raw_table> (inside the caller's transaction)."""
    if raw_table not in _contract_raw_tables():
        raise KeyError(f"{raw_table} is not a contract raw table")
    # The identifier is checked against the contract above; the path is a bound parameter.
    con.execute(
        f"INSERT INTO {RAW_SCHEMA}.{raw_table} BY NAME SELECT * FROM read_parquet(?)", [str(path)]
    )
