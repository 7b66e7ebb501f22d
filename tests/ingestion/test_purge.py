"""`lipas purge`: a submission's loaded PII goes, the ledger row, archive and audit stay.

Issue #11 item 3: there was no way to remove a submission whose rows carried personal data;
superseded rows stayed in raw forever.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings
from ingestion.ledger import ensure_ledger_tables
from ingestion.load import parquet_path
from ingestion.purge import UnknownSubmissionError, purge_submission
from quality.runner import run_checks
from tests.fixtures.ingestion.builders import monthly_report, set_mtime, write_xlsx
from tests.ingestion.ingest_helpers import query, run_ingest

T0 = dt.datetime(2025, 4, 2, 3, 0)


@pytest.fixture
def two_versions(lipas_home: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """(superseded id, current id) of BP3201 2025-03; the first has an unreadable cell."""
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    first = monthly_report()
    first.sheets["KLIEN"][0]["wajib_lapor_hadir"] = "tiga kali"  # a row issue quoting a value
    set_mtime(write_xlsx(first, lipas_home.landing_dir / "v1.xlsx"), T0)
    run_ingest(lipas_home)
    second = monthly_report()
    second.sheets["IDENTITAS"][0]["versi"] = 2
    set_mtime(write_xlsx(second, lipas_home.landing_dir / "v2.xlsx"), T0 + dt.timedelta(days=1))
    run_ingest(lipas_home)
    rows = query(lipas_home, "select submission_id, status from ledger.submissions")
    ids = {str(status): str(sid) for sid, status in rows}
    return ids["superseded"], ids["accepted"]


def test_purge_removes_rows_parquet_and_issue_values_and_keeps_ledger_and_archive(
    lipas_home: Settings, two_versions: tuple[str, str]
) -> None:
    old, current = two_versions
    assert query(lipas_home, "select count(*) from raw.monthly_klien where submission_id = ?",
                 [old]) == [(4,)]  # fmt: skip
    assert query(lipas_home, "select count(*) from ledger.row_issues where value is not null"
                 " and submission_id = ?", [old]) == [(1,)]  # fmt: skip
    archived = query(lipas_home, "select archived_path from ledger.submissions"
                     " where submission_id = ?", [old])[0][0]  # fmt: skip

    result = purge_submission(lipas_home, old, "NIK in no_register", actor="operator1", now=T0)

    assert result.raw_rows == 4 + 1 + 1 + 1 + 2  # KLIEN, IDENTITAS, POKMAS, KEGIATAN, PESERTA
    assert result.parquet_files == 5 and result.row_issue_values == 1
    assert "purged" in result.summary() and old in result.summary()
    for table in ("monthly_klien", "monthly_peserta", "monthly_identitas"):
        sql = f"select count(*) from raw.{table} where submission_id = ?"
        assert query(lipas_home, sql, [old]) == [(0,)]
        assert not parquet_path(lipas_home.raw_dir, table, old).exists()
        # The version in force is untouched.
        assert query(lipas_home, sql, [current])[0][0] > 0
        assert parquet_path(lipas_home.raw_dir, table, current).exists()
    assert query(lipas_home, "select count(*), count(value) from ledger.row_issues"
                 " where submission_id = ?", [old]) == [(1, 0)]  # fmt: skip
    # The ledger row keeps its status; the archived original (restricted) stays.
    assert query(lipas_home, "select status, is_current from ledger.submissions"
                 " where submission_id = ?", [old]) == [("superseded", False)]  # fmt: skip
    assert archived and Path(str(archived)).exists()
    audit = query(lipas_home, "select table_name, rows_affected, action, reason, actor,"
                  " redacted_at from ledger.redactions where submission_id = ?", [old])  # fmt: skip
    assert ("raw.monthly_klien", 4, "purge", "NIK in no_register", "operator1", T0) in audit
    assert ("ledger.row_issues", 1, "purge", "NIK in no_register", "operator1", T0) in audit
    # Idempotent: a second purge removes nothing and is still audited.
    again = purge_submission(lipas_home, old, "again", actor="operator1", now=T0)
    assert (again.raw_rows, again.parquet_files, again.row_issue_values) == (0, 0, 0)


def test_purging_the_version_in_force_takes_it_out_of_force(
    lipas_home: Settings, two_versions: tuple[str, str]
) -> None:
    _old, current = two_versions
    con_rows = "select status, is_current from ledger.submissions where submission_id = ?"
    result = purge_submission(lipas_home, current, "", actor="operator1", now=T0)
    assert result.was_current and "in force" in result.summary()
    assert query(lipas_home, con_rows, [current]) == [("accepted", False)]
    assert query(lipas_home, "select reason from ledger.redactions") != []


def test_purge_clears_values_quoted_in_finding_samples(
    lipas_home: Settings, two_versions: tuple[str, str]
) -> None:
    old, _current = two_versions
    run_checks(lipas_home, as_of=dt.date(2025, 4, 20), periods=["2025-03"], with_gx=False,
               data_docs=False)  # fmt: skip
    with duckdb.connect(str(lipas_home.warehouse_path)) as con:
        con.execute("update quality.findings set submission_id = ?, sample_rows = ?", [
            old, json.dumps([{"sheet": "KLIEN", "row": 2, "column": "x", "value": "secret"}])
        ])  # fmt: skip
    result = purge_submission(lipas_home, old, "test", actor="operator1", now=T0)
    assert result.finding_samples >= 1
    samples = query(lipas_home, "select distinct sample_rows from quality.findings")
    assert all("secret" not in str(s) for (s,) in samples)


def test_unknown_submission_changes_nothing(lipas_home: Settings) -> None:
    with pytest.raises(UnknownSubmissionError):
        purge_submission(lipas_home, "snosuchid")
    with duckdb.connect(str(lipas_home.warehouse_path)) as con:
        ensure_ledger_tables(con)
    with pytest.raises(UnknownSubmissionError):
        purge_submission(lipas_home, "snosuchid")
    assert query(lipas_home, "select count(*) from ledger.redactions") == [(0,)]


def test_cli_prints_one_line_and_exits_2_for_an_unknown_id(
    lipas_home: Settings, two_versions: tuple[str, str]
) -> None:
    old, _current = two_versions
    runner = CliRunner()
    bad = runner.invoke(build_app(), ["purge", "--submission", "snosuchid"])
    assert bad.exit_code == 2
    assert "unknown submission" in bad.output and "Traceback" not in bad.output
    ok = runner.invoke(build_app(), ["purge", "--submission", old, "--reason", "NIK pasted"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip().count("\n") == 0 and f"purged {old}" in ok.output
    actor = query(lipas_home, "select reason from ledger.redactions where submission_id = ?",
                  [old])  # fmt: skip
    assert ("NIK pasted",) in actor
