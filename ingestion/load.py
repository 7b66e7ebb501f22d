"""Immutable per-submission Parquet files and the one-transaction load into raw.* tables."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.contract.model import load_contract
from ingestion.contract.raw_schema import RAW_SCHEMA, raw_tables


def parquet_path(raw_dir: Path, raw_table: str, submission_id: str) -> Path:
    """raw/<kind>/<sheet>/<submission_id>.parquet for a raw table name."""
    kind, sheet = raw_tables(load_contract())[raw_table]
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
    if raw_table not in raw_tables(load_contract()):
        raise KeyError(f"{raw_table} is not a contract raw table")
    # The identifier is checked against the contract above; the path is a bound parameter.
    con.execute(
        f"INSERT INTO {RAW_SCHEMA}.{raw_table} BY NAME SELECT * FROM read_parquet(?)", [str(path)]
    )
