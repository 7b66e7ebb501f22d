"""End to end: messy-but-valid files load; versions, duplicates and landing clean-up behave."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from core.settings import Settings
from tests.fixtures.ingestion.builders import (
    Report,
    Style,
    annual_plan,
    monthly_report,
    set_mtime,
    write_csv_folder,
    write_xlsx,
    write_zip,
)
from tests.ingestion.ingest_helpers import landing_files, ledger_rows, query, run_ingest

T0 = dt.datetime(2025, 4, 3, 2, 0)


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


Writer = Callable[[Report, Path], Path]

VARIANTS = [
    pytest.param(lambda r, d: write_xlsx(r, d / "a.xlsx"), id="plain xlsx"),
    pytest.param(lambda r, d: write_xlsx(r, d / "a.xlsx", writer="openpyxl"), id="other writer"),
    pytest.param(
        lambda r, d: write_xlsx(r, d / "a.xlsx", Style(header_row=3, trailing_blank_rows=5)),
        id="header on row 4 and trailing blank rows",
    ),
    pytest.param(
        lambda r, d: write_xlsx(
            r,
            d / "a.xlsx",
            Style(
                sheet_names={"KLIEN": "Data Klien ", "IDENTITAS": "identitas"},
                column_names={
                    "no_register": "No. Register",
                    "jenis_kelamin": "L/P",
                    "tanggal_lahir": "Tgl_Lahir",
                    "kebutuhan": "KEBUTUHAN KLIEN",
                },
            ),
        ),
        id="sheet and column aliases in other case",
    ),
    pytest.param(
        lambda r, d: write_xlsx(
            r, d / "a.xlsx", Style(dates_as="serial", nik_as="number", rupiah_as="text_rp")
        ),
        id="serial dates, NIK as number, Rupiah text",
    ),
    pytest.param(
        lambda r, d: write_xlsx(r, d / "a.xlsx", Style(dates_as="text_dmy", nik_as="spaced")),
        id="dd/mm/yyyy text and NIK with spaces",
    ),
    pytest.param(
        lambda r, d: write_xlsx(r, d / "a.xlsx", Style(extra_columns={"Keterangan": "-"})),
        id="unknown extra column",
    ),
    pytest.param(lambda r, d: write_csv_folder(r, d / "csv"), id="csv folder utf-8"),
    pytest.param(
        lambda r, d: write_csv_folder(r, d / "csv", encoding="utf-8-sig"), id="csv folder BOM"
    ),
    pytest.param(
        lambda r, d: write_csv_folder(r, d / "csv", encoding="cp1252", delimiter=";"),
        id="csv folder windows-1252 semicolons",
    ),
    pytest.param(
        lambda r, d: write_csv_folder(r, d / "csv", Style(sheet_names={"IDENTITAS": "identitas"})),
        id="csv folder lower-case file names",
    ),
    pytest.param(lambda r, d: write_zip(r, d / "a.zip"), id="zip of csv"),
]


@pytest.mark.parametrize("write", VARIANTS)
def test_valid_variants_load_identically(lipas_home: Settings, write: Writer) -> None:
    report = monthly_report()
    report.sheets["POKMAS"][0]["nama"] = "Yayasan Café Sejahtera"  # non-ASCII survives encodings
    write(report, lipas_home.landing_dir / "BP3201" / "2025-03")
    summary = run_ingest(lipas_home)
    assert (summary.accepted, summary.rejected) == (1, 0), summary
    counts = json.loads(str(query(lipas_home, "SELECT row_counts FROM ledger.submissions")[0][0]))
    assert counts == {"IDENTITAS": 1, "KEGIATAN": 1, "KLIEN": 4, "PESERTA": 2, "POKMAS": 1}
    klien = query(
        lipas_home,
        "SELECT no_register, jenis_kelamin, tahun_lahir, umur_akhir_periode, nik_status, "
        "nik_sex_match, nik_birthdate_match, kebutuhan, tanggal_mulai, _row_number "
        "FROM raw.monthly_klien ORDER BY no_register",
    )
    assert klien[0][:9] == (
        "REG-001", "L", 1985, 40, "VALID", True, True, "KERJA;KETERAMPILAN", dt.date(2024, 6, 1)
    )  # fmt: skip
    assert [r[6] for r in klien] == [True] * 4
    kegiatan = query(lipas_home, "SELECT biaya_rp, durasi_jam, tanggal FROM raw.monthly_kegiatan")
    assert kegiatan == [(1500000, 3.5, dt.date(2025, 3, 5))]
    pokmas = query(lipas_home, "SELECT nama FROM raw.monthly_pokmas")
    assert pokmas == [("Yayasan Café Sejahtera",)]
    assert query(lipas_home, "SELECT count(*) FROM ledger.row_issues") == [(0,)]
    assert landing_files(lipas_home) == []


def test_row_numbers_follow_the_senders_view(lipas_home: Settings) -> None:
    write_xlsx(monthly_report(), lipas_home.landing_dir / "a.xlsx", Style(header_row=2))
    run_ingest(lipas_home)
    rows = query(lipas_home, "SELECT _row_number FROM raw.monthly_klien ORDER BY 1")
    assert [r[0] for r in rows] == [4, 5, 6, 7]  # header on spreadsheet row 3


def test_extra_column_is_noted_not_an_error(lipas_home: Settings) -> None:
    write_xlsx(
        monthly_report(), lipas_home.landing_dir / "a.xlsx", Style(extra_columns={"Catatan": 1})
    )
    run_ingest(lipas_home)
    status, summary = query(lipas_home, "SELECT status, error_summary FROM ledger.submissions")[0]
    assert status == "accepted"
    assert "KLIEN: kolom tak dikenal diabaikan / unknown columns ignored: P" in str(summary)


def test_bad_cells_load_as_null_with_row_issues(lipas_home: Settings) -> None:
    report = monthly_report()
    report.sheets["KLIEN"][1]["tanggal_mulai"] = "31/02/2025"
    report.sheets["KLIEN"][2]["wajib_lapor_hadir"] = "tiga"
    report.sheets["KLIEN"][3]["nik"] = "3201-ABCD"
    write_xlsx(report, lipas_home.landing_dir / "a.xlsx")
    summary = run_ingest(lipas_home)
    assert summary.accepted == 1
    issues = query(
        lipas_home,
        "SELECT sheet, row_number, column_name, value, issue_code FROM ledger.row_issues "
        "ORDER BY row_number",
    )
    assert issues == [
        ("KLIEN", 3, "tanggal_mulai", "31/02/2025", "invalid_date"),
        ("KLIEN", 4, "wajib_lapor_hadir", "tiga", "invalid_integer"),
        ("KLIEN", 5, "nik", "NIK (4 digit, disamarkan / redacted)", "invalid_nik"),
    ]
    nulls = query(lipas_home, "SELECT count(*) FROM raw.monthly_klien WHERE tanggal_mulai IS NULL")
    assert nulls == [(1,)]


def test_nik_flags(lipas_home: Settings) -> None:
    report = monthly_report()
    report.sheets["KLIEN"][0]["jenis_kelamin"] = "P"  # NIK day 12 says male
    report.sheets["KLIEN"][1]["tanggal_lahir"] = dt.date(1991, 12, 15)  # NIK says 1990
    report.sheets["KLIEN"][2]["nik"] = "320402010100"  # 12 digits
    report.sheets["KLIEN"][3]["nik"] = None
    write_xlsx(report, lipas_home.landing_dir / "a.xlsx")
    run_ingest(lipas_home)
    rows = query(
        lipas_home,
        "SELECT nik_status, nik_sex_match, nik_birthdate_match, client_key IS NULL "
        "FROM raw.monthly_klien ORDER BY no_register",
    )
    assert rows == [
        ("VALID", False, True, False),
        ("VALID", True, False, False),
        ("BAD_LENGTH", None, None, False),
        ("MISSING", None, None, True),
    ]


def test_annual_plan_is_recognised_by_tahun(lipas_home: Settings) -> None:
    write_xlsx(annual_plan(), lipas_home.landing_dir / "plan.xlsx")
    summary = run_ingest(lipas_home)
    assert summary.files[0].report_kind == "annual_plan"
    assert query(lipas_home, "SELECT anggaran_rp FROM raw.annual_plan_anggaran") == [(25000000,)]


def _drop(settings: Settings, name: str, report: Report, received: dt.datetime) -> None:
    path = write_xlsx(report, settings.landing_dir / name)
    set_mtime(path, received)


def test_resubmission_supersedes_and_keeps_old_rows(lipas_home: Settings) -> None:
    _drop(lipas_home, "v1.xlsx", monthly_report(n_clients=4), T0)
    run_ingest(lipas_home)
    _drop(lipas_home, "v2.xlsx", monthly_report(n_clients=3), T0 + dt.timedelta(days=2))
    summary = run_ingest(lipas_home)
    assert summary.accepted == 1
    assert ledger_rows(lipas_home) == [
        ("v1.xlsx", "superseded", None, "BP3201", "2025-03", 1, False),
        ("v2.xlsx", "accepted", None, "BP3201", "2025-03", 2, True),
    ]
    current = query(
        lipas_home,
        "SELECT count(*) FROM raw.monthly_klien JOIN ledger.submissions USING (submission_id) "
        "WHERE is_current",
    )
    assert current == [(3,)]
    assert query(lipas_home, "SELECT count(*) FROM raw.monthly_klien") == [(7,)]


def test_late_arriving_older_file_does_not_supersede(lipas_home: Settings) -> None:
    _drop(lipas_home, "new.xlsx", monthly_report(n_clients=3), T0 + dt.timedelta(days=2))
    run_ingest(lipas_home)
    _drop(lipas_home, "old.xlsx", monthly_report(n_clients=4), T0)
    run_ingest(lipas_home)
    assert ledger_rows(lipas_home) == [
        ("old.xlsx", "superseded", None, "BP3201", "2025-03", 2, False),
        ("new.xlsx", "accepted", None, "BP3201", "2025-03", 1, True),
    ]


def test_same_run_versions_follow_received_time(lipas_home: Settings) -> None:
    _drop(lipas_home, "b.xlsx", monthly_report(n_clients=3), T0 + dt.timedelta(hours=1))
    _drop(lipas_home, "a.xlsx", monthly_report(n_clients=4), T0)
    run_ingest(lipas_home)
    assert [r[:2] for r in ledger_rows(lipas_home)] == [
        ("a.xlsx", "superseded"),
        ("b.xlsx", "accepted"),
    ]


def test_identical_file_is_a_duplicate_and_changes_nothing(lipas_home: Settings) -> None:
    path = write_xlsx(monthly_report(), lipas_home.landing_dir / "a.xlsx")
    copy = lipas_home.landing_dir / "again" / "a_copy.xlsx"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    set_mtime(copy, T0 + dt.timedelta(days=1))
    set_mtime(path, T0)
    summary = run_ingest(lipas_home)
    assert (summary.accepted, summary.duplicate) == (1, 1)
    rows = ledger_rows(lipas_home)
    assert rows[0][1:] == ("accepted", None, "BP3201", "2025-03", 1, True)
    assert rows[1][1:] == ("duplicate", None, "BP3201", "2025-03", None, False)
    assert query(lipas_home, "SELECT count(*) FROM raw.monthly_klien") == [(4,)]


def test_rerun_with_files_kept_changes_nothing(lipas_home: Settings) -> None:
    from ingestion.pipeline import ingest_landing

    write_xlsx(monthly_report(), lipas_home.landing_dir / "a.xlsx")
    first = ingest_landing(lipas_home, remove_processed=False)
    second = ingest_landing(lipas_home, remove_processed=False)
    assert (first.accepted, second.already_ingested, second.accepted) == (1, 1, 0)
    assert query(lipas_home, "SELECT count(*) FROM ledger.submissions") == [(1,)]


def test_archive_parquet_and_landing_layout(lipas_home: Settings) -> None:
    write_xlsx(monthly_report(), lipas_home.landing_dir / "BP3201" / "2025-03" / "a.xlsx")
    summary = run_ingest(lipas_home)
    sid = summary.files[0].submission_id
    sha, archived = query(lipas_home, "SELECT sha256, archived_path FROM ledger.submissions")[0]
    archived_path = Path(str(archived))
    assert archived_path == lipas_home.archive_dir / str(sha)[:2] / str(sha) / "a.xlsx"
    assert archived_path.is_file()
    assert (archived_path.parent.stat().st_mode & 0o777) == 0o700
    assert (lipas_home.archive_dir.stat().st_mode & 0o777) == 0o700
    parquet = lipas_home.raw_dir / "monthly" / "klien" / f"{sid}.parquet"
    assert parquet.is_file()
    assert not (lipas_home.landing_dir / "BP3201").exists()  # emptied folders pruned
    assert lipas_home.landing_dir.is_dir()


def test_process_pool_gives_same_result(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "2")
    for i, period in enumerate(("2025-01", "2025-02", "2025-03")):
        _drop(lipas_home, f"{period}.xlsx", monthly_report(period=period), T0 + dt.timedelta(i))
    summary = run_ingest(lipas_home)
    assert summary.accepted == 3
    assert [f.period for f in summary.files] == ["2025-01", "2025-02", "2025-03"]
    assert query(lipas_home, "SELECT count(*) FROM raw.monthly_klien") == [(12,)]
