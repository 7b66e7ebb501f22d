"""Files committed in groups (issue 16): versions decided in order inside one transaction, and a
group that fails is retried file by file so the good files are kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from core.settings import Settings
from ingestion import ledger
from ingestion.discover import discover
from ingestion.pipeline import _plan, connect_writer
from ingestion.pseudonymise import resolve_pseudonym_key
from ingestion.submit import commit_group
from ingestion.worker import parse_submission
from tests.fixtures.ingestion.builders import monthly_report, set_mtime, write_xlsx
from tests.ingestion.ingest_helpers import query, run_ingest

T0 = dt.datetime(2025, 4, 3, 2, 0)


def _versions(landing: Path, count: int, kode: str = "BP3201") -> None:
    for number in range(1, count + 1):
        report = monthly_report(kode, n_clients=number + 1)
        report.sheets["IDENTITAS"][0]["versi"] = number
        path = write_xlsx(report, landing / kode / f"v{number}.xlsx")
        set_mtime(path, T0 + dt.timedelta(hours=number))


def test_versions_committed_together_supersede_in_arrival_order(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process parsing hands the writer every file at once: one group, three versions."""
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    _versions(lipas_home.landing_dir, 3)
    assert run_ingest(lipas_home).accepted == 3  # each was accepted when committed
    rows = query(
        lipas_home,
        "SELECT original_name, status, version, is_current FROM ledger.submissions "
        "ORDER BY received_at",
    )
    assert rows == [
        ("v1.xlsx", "superseded", 1, False),
        ("v2.xlsx", "superseded", 2, False),
        ("v3.xlsx", "accepted", 3, True),
    ]
    # Every version's rows are in raw once (2 + 3 + 4 clients), none twice.
    clients = query(
        lipas_home,
        "SELECT s.original_name, count(*) FROM raw.monthly_klien k "
        "JOIN ledger.submissions s USING (submission_id) GROUP BY 1 ORDER BY 1",
    )
    assert clients == [("v1.xlsx", 2), ("v2.xlsx", 3), ("v3.xlsx", 4)]


def test_a_failing_group_keeps_the_files_before_the_bad_one(lipas_home: Settings) -> None:
    """The second file's Parquet vanished after parsing (a disk fault): the group's transaction
    fails, is rolled back, and the retry one file at a time commits the first and raises on the
    second, with none of its rows loaded."""
    landing = lipas_home.landing_dir
    for kode in ("BP3201", "BP3202", "BP3203"):
        path = write_xlsx(monthly_report(kode), landing / kode / "laporan.xlsx")
        set_mtime(path, T0)
    candidates = discover(landing, dt.datetime(2025, 4, 4))
    con = connect_writer(lipas_home)
    try:
        ledger.ensure_ledger_tables(con)
        ledger.ensure_raw_tables(con)
        decisions = list(_plan(lipas_home, candidates, resolve_pseudonym_key(), (set(), set())))
        group = []
        for decision in decisions:
            assert decision.job is not None
            group.append((decision, parse_submission(decision.job)))
        bad = group[1][1]
        assert bad is not None and bad.rejection is None
        bad.parquet["monthly_klien"].unlink()
        with pytest.raises(duckdb.IOException):
            commit_group(con, lipas_home, group, lambda _step: None)
        committed = con.execute(
            "SELECT kode_bapas, status FROM ledger.submissions ORDER BY kode_bapas"
        ).fetchall()
        loaded = con.execute(
            "SELECT kode_bapas, count(*) FROM raw.monthly_identitas GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    first = group[0][1]
    assert first is not None
    assert committed == [(first.kode_bapas, "accepted")]
    assert loaded == [(first.kode_bapas, 1)]
