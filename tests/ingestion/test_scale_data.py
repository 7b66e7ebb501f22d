"""The scale simulation (benchmarks/scale_data.py) fills the raw layout ingestion writes."""

from __future__ import annotations

import duckdb
import pytest

from benchmarks.scale_data import offices, synthesise
from core.contract.model import load_contract
from core.contract.raw_schema import raw_columns
from ingestion.ledger import ensure_ledger_tables, ensure_raw_tables

# Columns the simulation leaves empty on purpose on some rows (never on all of them).
SOMETIMES_NULL = {"tanggal_status"}


def test_every_raw_column_and_ledger_row_is_simulated(capsys: pytest.CaptureFixture[str]) -> None:
    con = duckdb.connect(":memory:")
    ensure_ledger_tables(con)
    ensure_raw_tables(con)
    bapas, _ = offices(3)
    counts = synthesise(con, bapas, ["2020", "2020-01", "2020-02"], clients=48)
    assert "note:" not in capsys.readouterr().out  # no contract column without a value
    contract = load_contract()
    for kind in contract.report_kinds.values():
        for sheet in kind.sheets:
            table = kind.raw_table(sheet)
            if table == "monthly_griya_abhipraya":
                continue  # only Bapas running a halfway house report it
            assert counts[table] > 0, table
            for col in raw_columns(sheet):
                filled = con.execute(f"select count({col.name}) from raw.{table}").fetchone()
                assert filled is not None and filled[0] > 0, f"{table}.{col.name} all NULL"
    assert counts["monthly_klien"] == 3 * 2 * 48
    ledger = con.execute(
        "select report_kind, count(*), count(distinct submission_id), bool_and(is_current) "
        "from ledger.submissions group by all order by all"
    ).fetchall()
    assert ledger == [("annual_plan", 3, 3, True), ("monthly", 6, 6, True)]
    # Every raw row belongs to a ledger row (the join dbt's staging models make).
    orphans = con.execute(
        "select count(*) from raw.monthly_klien as k left join ledger.submissions as s "
        "using (submission_id) where s.submission_id is null"
    ).fetchone()
    assert orphans == (0,)


def test_two_hundred_offices_add_made_up_bapas_with_unique_codes() -> None:
    from core.reference import load_bapas

    bapas, extra = offices(200)
    codes = [b.kode for b in bapas]
    assert len(codes) == len(set(codes)) == 200
    seeded = {b.kode_bapas for b in load_bapas()}
    reporting = [b for b in load_bapas() if not b.is_pos_bapas]
    assert len(extra) == 200 - len(reporting)
    assert all(row["kode_bapas"] in codes and row["kode_bapas"] not in seeded for row in extra)
    assert offices(len(reporting))[1] == []  # the seed alone suffices: no made-up office
