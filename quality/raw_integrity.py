"""Warehouse-wide integrity of the raw layer: the conditions under which no mart can be trusted.

Unlike findings about one submission (which never stop the others), these describe a broken load
and therefore gate dbt.
"""

from __future__ import annotations

import duckdb

from ingestion.contract.model import load_contract
from ingestion.contract.raw_schema import RAW_SCHEMA, raw_columns, raw_tables
from ingestion.settings import Settings

# Identifiers the pipeline generates (hex/base32 digests) may contain 16-digit runs by chance;
# everything a sender can influence, file names included, is scanned.
GENERATED_ID_COLUMNS = frozenset({"submission_id", "_source_sha256"})


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {(str(s), str(t)) for s, t in rows}


def check_raw_integrity(settings: Settings) -> list[str]:
    """Problems found (empty when the raw layer is sound); a missing warehouse is not a problem."""
    if not settings.warehouse_path.exists():
        return []
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return _problems(con)
    finally:
        con.close()


def _problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    problems: list[str] = []
    existing = _tables(con)
    if ("ledger", "submissions") in existing:
        dupes = con.execute(
            "select report_kind, kode_bapas, periode, count(*) from ledger.submissions "
            "where is_current group by all having count(*) > 1"
        ).fetchall()
        problems += [f"{k} {b} {p}: {n} current versions" for k, b, p, n in dupes]
    for table, (_, sheet) in raw_tables(load_contract()).items():
        if (RAW_SCHEMA, table) not in existing:
            continue
        # Identifiers come from the contract, never from data.
        dup = con.execute(
            f"select count(*) from (select submission_id, _row_number from {RAW_SCHEMA}.{table} "
            "group by all having count(*) > 1)"
        ).fetchone()
        if dup and dup[0]:
            problems.append(f"raw.{table}: {dup[0]} rows loaded more than once")
        for col in raw_columns(sheet):
            if col.sql_type != "VARCHAR" or col.name in GENERATED_ID_COLUMNS:
                continue
            hit = con.execute(
                f"select count(*) from {RAW_SCHEMA}.{table} "
                f"where regexp_matches({col.name}, '[0-9]{{16}}')"
            ).fetchone()
            if hit and hit[0]:
                problems.append(f"raw.{table}.{col.name}: {hit[0]} values with 16 digits (NIK?)")
    return problems
