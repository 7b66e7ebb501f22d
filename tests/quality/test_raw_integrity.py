"""Raw integrity gate: what blocks dbt, and what must not (regression: hashes with digit runs)."""

from __future__ import annotations

import duckdb

from ingestion.contract.model import load_contract
from ingestion.contract.raw_schema import raw_tables
from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables
from ingestion.settings import Settings
from quality.raw_integrity import check_raw_integrity

# A sha256 in hex can hold 16 digits in a row; a national year produced thousands of these.
HASH_WITH_DIGIT_RUN = "ab" + "1234567890123456" + "c" * 46


def _insert_identitas(con: duckdb.DuckDBPyConnection, kode: str, row: int) -> None:
    con.execute(
        "insert into raw.monthly_identitas (kode_bapas, periode, submission_id, _source_sha256,"
        " _source_file, _row_number) values (?, '2025-01', 's1', ?, 'laporan.xlsx', ?)",
        [kode, HASH_WITH_DIGIT_RUN, row],
    )


def test_generated_hashes_do_not_block(lipas_home: Settings) -> None:
    con = duckdb.connect(str(lipas_home.warehouse_path))
    ensure_ledger_tables(con)
    ensure_raw_tables(con)
    _insert_identitas(con, "BP3501", 2)
    con.close()
    assert check_raw_integrity(lipas_home) == []


def test_sixteen_digits_in_content_and_double_loads_block(lipas_home: Settings) -> None:
    con = duckdb.connect(str(lipas_home.warehouse_path))
    ensure_ledger_tables(con)
    ensure_raw_tables(con)
    _insert_identitas(con, "3201234567890001", 2)
    _insert_identitas(con, "BP3501", 2)
    con.close()
    problems = check_raw_integrity(lipas_home)
    assert any("kode_bapas" in p and "16 digits" in p for p in problems)
    assert any("loaded more than once" in p for p in problems)
    assert "monthly_identitas" in raw_tables(load_contract())
