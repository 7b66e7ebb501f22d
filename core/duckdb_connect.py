"""Every in-process DuckDB connection opens here, so one memory cap covers the whole process.

DuckDB's default memory limit is 80% of the machine's RAM per database instance. The nightly's
checks, mart checks and publishing each open the warehouse in process, and at three national
years they peaked at 2-3.4 GB apiece (issue 16), on a machine that also runs dbt and the site.
LIPAS_DUCKDB_MEMORY_LIMIT caps them; above it DuckDB spills to its temp directory (beside the
database file; a private temp folder for in-memory databases).

The limit is applied with SET after connecting, never in `config=`: DuckDB shares one instance
per file within a process and refuses a second connection with a different configuration.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from core.settings_registry import setting
from core.settings_types import ConfigurationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MEMORY_LIMIT_PATTERN",
    "fetch_frame",
    "insert_rows",
    "memory_limit",
    "open_duckdb",
    "release_fetched_memory",
]

# What DuckDB's memory_limit accepts: an amount with a unit, or a share of RAM.
MEMORY_LIMIT_PATTERN = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)$", re.I)
IN_MEMORY = ":memory:"


def _nullable_dtypes() -> dict[str, Callable[[], Any]]:
    import pandas as pd

    return {
        "int8": pd.Int8Dtype,
        "int16": pd.Int16Dtype,
        "int32": pd.Int32Dtype,
        "int64": pd.Int64Dtype,
        "uint8": pd.UInt8Dtype,
        "uint16": pd.UInt16Dtype,
        "uint32": pd.UInt32Dtype,
        "uint64": pd.UInt64Dtype,
        "bool": pd.BooleanDtype,
    }


def memory_limit() -> str:
    """The configured cap (`80%` is DuckDB's own); ConfigurationError for a malformed value."""
    value = setting("LIPAS_DUCKDB_MEMORY_LIMIT").text().strip()
    if value and not MEMORY_LIMIT_PATTERN.match(value):
        raise ConfigurationError(
            f"LIPAS_DUCKDB_MEMORY_LIMIT={value!r}: expected an amount such as 1GB or 1500MB,"
            " or a share of RAM such as 25%"
        )
    return value


def open_duckdb(
    path: Path | str = IN_MEMORY,
    *,
    read_only: bool = False,
    config: Mapping[str, str | bool] | None = None,
    limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection with the process's memory cap (`limit` overrides the setting).

    With a `config` (e.g. the published snapshot's lockdown, which forbids SET) the cap joins
    that configuration; callers passing one already own that file's instance in the process.
    """
    cap = memory_limit() if limit is None else limit
    if config:
        merged: dict[str, str | bool | int | float | list[str]] = dict(config)
        if cap:
            merged["memory_limit"] = cap
        return duckdb.connect(str(path), read_only=read_only, config=merged)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if cap:
            # Validated against MEMORY_LIMIT_PATTERN (or a caller's constant): safe to inline.
            con.execute(f"set memory_limit = '{cap}'")
        if str(path) == IN_MEMORY:
            con.execute(f"set temp_directory = '{_private_temp()}'")
    except duckdb.Error:
        con.close()
        raise
    return con


def _private_temp() -> str:
    """Spill folder of in-memory databases (DuckDB's default is `.tmp` in the working folder)."""
    folder = Path(tempfile.gettempdir()) / "lipas-duckdb"
    folder.mkdir(mode=0o700, exist_ok=True)
    return str(folder).replace("'", "''")


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The query's rows as the same pandas frame as `.df()`, through Arrow.

    `.df()` builds Python objects for every value on the way: at three national years the mart
    checks, which fetch fct_client_month's checked columns (4.4 M rows), peaked at 1,816 MB
    with it and at 1,100 MB through Arrow (`benchmarks/bench_memory_cap.py`, issue 16). The
    dtypes follow `.df()`, so expectations see identical frames: DECIMAL as float64, DATE as
    datetime64, and integer or boolean columns holding NULLs as pandas' nullable types (a LIST
    column's NULL is None here, <NA> there: no caller fetches lists).
    """
    import pandas as pd
    import pyarrow as pa

    table = con.sql(sql).to_arrow_table()
    columns: dict[str, pd.Series] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_decimal(kind):
            column = column.cast(pa.float64())
        elif pa.types.is_date(kind):
            column = column.cast(pa.timestamp("us"))
        nullable = _nullable_dtypes().get(str(column.type)) if column.null_count else None
        if nullable is not None:
            columns[name] = column.to_pandas(types_mapper={column.type: nullable()}.get)
        else:
            columns[name] = column.to_pandas()
    frame = pd.DataFrame(columns, copy=False) if columns else pd.DataFrame()
    if not table.num_rows:  # `.df()` types an empty text column as object
        texts = [n for n, c in zip(table.column_names, table.columns, strict=True)
                 if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)]  # fmt: skip
        frame = frame.astype(dict.fromkeys(texts, object))
    return frame


def release_fetched_memory() -> None:
    """Hand the blocks Arrow kept from freed frames back to the operating system.

    pyarrow's allocator (mimalloc) keeps what a fetched frame used after the frame is gone, so
    a long process (the nightly's steps run in one) carries each step's peak into the next:
    after the checks and the mart checks at three national years ~350 MB of the process's
    1.2 GB was such cache (issue 16). Call it when a step that fetched large frames ends.
    """
    import sys

    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:  # nothing fetched through Arrow: nothing to release
        pyarrow.default_memory_pool().release_unused()


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    names: list[str],
    rows: Sequence[Sequence[object]],
    literals: str = "",
) -> None:
    """Append rows (in `names` order, then the SQL `literals`) to `table`, through Arrow.

    executemany inserts one row at a time (~0.1 ms each): thousands of findings seen again
    every night, and the GX validity cache's failures, went that way (issue 16).
    """
    if not rows:
        return
    import pyarrow as pa

    frame = pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})
    view = f"{table.replace('.', '_')}_in"
    con.register(view, frame)
    try:
        tail = f", {literals}" if literals else ""
        con.execute(f"insert into {table} select *{tail} from {view}")
    finally:
        con.unregister(view)
