"""Immutable per-submission Parquet files and the one-transaction load into raw.* tables."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
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


PARQUET_COMPRESSION = "snappy"


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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@lru_cache(maxsize=1)
def _fsync_pool() -> ThreadPoolExecutor:
    """One pool per process for the concurrent fsyncs, kept for the process's life.

    Starting five threads for every file cost more CPU than the fsyncs themselves (issue 16).
    """
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="lipas-fsync")


class ParquetBatch:
    """Atomic Parquet writes of one submission, synced together (issue 16).

    `write_parquet_atomic` paid one fsync per sheet, one after the other: five disk flushes a
    file, a third of a worker's wall time on a national year. Here each sheet is written to its
    temp file as it is built (one sheet's table in memory at a time, as before); on leaving the
    block the temp files are fsynced concurrently (the journal commits them together) and only
    then renamed, so readers still never see a half-written file. On an exception the temp
    files are removed and no final file is touched.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def write(self, table: pa.Table, path: Path) -> None:
        """Write `table` to a temp file beside `path`; it becomes `path` when the batch ends."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._pending.append((tmp, path))
        # No dictionary pages or statistics: on a few thousand rows a sheet they cost ~20% of
        # the write; readers need neither. Snappy, not zstd: about half the write's CPU for
        # files 1.8x the size (issue 16, docs/ingestion.md); the archive keeps the originals
        # and the warehouse the rows, so size matters less.
        pq.write_table(
            table, tmp, compression=PARQUET_COMPRESSION, use_dictionary=False,
            write_statistics=False,
        )  # fmt: skip

    def __enter__(self) -> ParquetBatch:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            for tmp, _final in self._pending:
                tmp.unlink(missing_ok=True)

    def _commit(self) -> None:
        temps = [tmp for tmp, _ in self._pending]
        if len(temps) > 1:
            list(_fsync_pool().map(_fsync, temps))
        elif temps:
            _fsync(temps[0])
        for tmp, final in self._pending:
            os.replace(tmp, final)


def insert_parquet(con: duckdb.DuckDBPyConnection, raw_table: str, paths: list[Path]) -> None:
    """Append Parquet files to raw.<raw_table> in one statement (inside the caller's transaction).

    One INSERT for all the files of a commit group: each statement costs ~3 ms of planning and
    file opening whatever its size, which on a national month was most of the writer's time.
    """
    if raw_table not in _contract_raw_tables():
        raise KeyError(f"{raw_table} is not a contract raw table")
    # The identifier is checked against the contract above; the paths are a bound parameter.
    # union_by_name: a file written under an older raw layout may lack a later-added column.
    con.execute(
        f"INSERT INTO {RAW_SCHEMA}.{raw_table} BY NAME "
        "SELECT * FROM read_parquet(?, union_by_name = true)",
        [[str(path) for path in paths]],
    )


class RawInserts:
    """The Parquet files a commit group loads, gathered per raw table and inserted together."""

    def __init__(self) -> None:
        self._paths: dict[str, list[Path]] = {}

    def add(self, raw_table: str, path: Path) -> None:
        """Queue one submission's file for raw.<raw_table>."""
        self._paths.setdefault(raw_table, []).append(path)

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        """Insert everything queued, one statement per table, in a fixed table order."""
        for raw_table, paths in sorted(self._paths.items()):
            insert_parquet(con, raw_table, paths)
        self._paths.clear()
