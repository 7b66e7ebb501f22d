"""The snapshot's own record of its tables' fingerprints (`_fingerprints`), so none is hashed twice.

A publish hashed the large tables three times (issue 16): the warehouse's, the copied previous
snapshot's (to find the changed periods), and the new snapshot's again for the Parquet export.
The fingerprints of what a publish copied are written into the snapshot itself, in the same
file as the rows they describe: the next publish reads the previous snapshot's from there
instead of hashing it, and the Parquet export reads the new snapshot's. A published snapshot
is never written again (read-only file, atomic swap), so the record cannot go stale; a table
without a record is hashed as before.
"""

from __future__ import annotations

import json

import duckdb

FINGERPRINT_TABLE = "_fingerprints"

# "schema.table" -> table_fingerprints(...) of its current content
Stored = dict[str, dict[str, object]]


def table_key(schema: str, name: str) -> str:
    """How a table is named in the record."""
    return f"{schema}.{name}"


def read_stored(con: duckdb.DuckDBPyConnection) -> Stored:
    """The record of the database `con` opened (empty when it has none)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database()"
        " and table_schema = 'main' and table_name = ?",
        [FINGERPRINT_TABLE],
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = con.execute(f"select table_key, fingerprint from {FINGERPRINT_TABLE}").fetchall()
    stored: Stored = {}
    for key, text in rows:
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            stored[str(key)] = value
    return stored


def write_stored(con: duckdb.DuckDBPyConnection, stored: Stored) -> None:
    """Replace the record with `stored` (call after every table is written)."""
    con.execute(f"drop table if exists {FINGERPRINT_TABLE}")
    con.execute(f"create table {FINGERPRINT_TABLE} (table_key varchar, fingerprint varchar)")
    if stored:
        con.executemany(
            f"insert into {FINGERPRINT_TABLE} values (?, ?)",
            [(key, json.dumps(value, sort_keys=True)) for key, value in sorted(stored.items())],
        )
    con.execute(
        f"comment on table {FINGERPRINT_TABLE} is 'lipas publish bookkeeping: row count and hash"
        " per period of the tables it copied (publishing/fingerprint_table.py)'"
    )
