"""Every structural refusal: rejected with the documented error code, quarantined, never lost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from core.settings import Settings, load_settings
from ingestion.quarantine import find_quarantine
from tests.fixtures.ingestion.builders import (
    Style,
    monthly_report,
    write_csv_folder,
    write_xlsx,
    write_zip,
)
from tests.fixtures.ingestion.hostile import (
    future_zip_version,
    many_entries_zip,
    ole_file,
    with_broken_sheet_xml,
    with_doctype,
    zip_bomb,
)
from tests.ingestion.ingest_helpers import landing_files, query, run_ingest


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def _identity(**changes: object) -> Callable[[Path], Path]:
    def build(landing: Path) -> Path:
        report = monthly_report()
        report.sheets["IDENTITAS"][0].update(changes)
        return write_xlsx(report, landing / "a.xlsx")

    return build


def _styled(style: Style) -> Callable[[Path], Path]:
    return lambda landing: write_xlsx(monthly_report(), landing / "a.xlsx", style)


def _tmp_xlsx(landing: Path) -> Path:
    return write_xlsx(monthly_report(), landing.parent / "src.xlsx")


def _empty_identity(landing: Path) -> Path:
    report = monthly_report()
    report.sheets["IDENTITAS"] = [{k: None for k in report.sheets["IDENTITAS"][0]}]
    return write_xlsx(report, landing / "a.xlsx")


def _truncated(landing: Path) -> Path:
    data = _tmp_xlsx(landing).read_bytes()
    (landing / "a.xlsx").write_bytes(data[: len(data) // 2])
    return landing / "a.xlsx"


CASES = [
    pytest.param(_identity(kode_bapas="BP9999"), "unknown_bapas", id="unknown bapas"),
    pytest.param(_identity(kode_bapas=""), "unknown_bapas", id="empty bapas code"),
    pytest.param(
        _identity(kode_bapas="BP1402", periode="2023-05"),
        "inactive_bapas",
        id="bapas not yet open in the period",
    ),
    pytest.param(_identity(periode="Maret 2025"), "bad_period", id="period in words"),
    pytest.param(_identity(periode="2025-13"), "bad_period", id="month 13"),
    pytest.param(_identity(periode=None), "bad_period", id="period empty"),
    pytest.param(_styled(Style(drop_sheets=("KLIEN",))), "missing_sheet", id="missing KLIEN sheet"),
    pytest.param(
        _styled(Style(drop_sheets=("IDENTITAS",))), "missing_sheet", id="missing IDENTITAS sheet"
    ),
    pytest.param(
        _styled(Style(drop_columns=("status_akhir_bulan",))),
        "missing_column",
        id="missing required column",
    ),
    pytest.param(
        _styled(Style(drop_columns=("periode",))), "missing_column", id="IDENTITAS without periode"
    ),
    pytest.param(_empty_identity, "empty_sheet", id="empty IDENTITAS"),
    pytest.param(
        lambda d: ole_file(d / "a.xlsx", encrypted=True), "encrypted", id="encrypted xlsx"
    ),
    pytest.param(
        lambda d: ole_file(d / "a.xlsx", encrypted=False), "unreadable", id="legacy xls named xlsx"
    ),
    pytest.param(
        lambda d: ole_file(d / "a.zip", encrypted=True), "encrypted", id="encrypted zip name"
    ),
    pytest.param(_truncated, "unreadable", id="truncated xlsx"),
    pytest.param(
        lambda d: (d / "a.xlsx").write_bytes(b"not a workbook at all") and d / "a.xlsx",
        "unreadable",
        id="text named xlsx",
    ),
    pytest.param(
        lambda d: with_doctype(_tmp_xlsx(d), d / "a.xlsx"), "malformed_xml", id="xml entities"
    ),
    pytest.param(
        lambda d: with_broken_sheet_xml(_tmp_xlsx(d), d / "a.xlsx"),
        "malformed_xml",
        id="truncated sheet xml",
    ),
    pytest.param(lambda d: zip_bomb(d / "a.zip"), "zip_bomb", id="zip bomb of csv"),
    pytest.param(
        lambda d: zip_bomb(d / "a.xlsx", "xl/worksheets/sheet1.xml"), "zip_bomb", id="xlsx bomb"
    ),
    pytest.param(
        lambda d: many_entries_zip(d / "a.zip", entries=10_001),
        "zip_bomb",
        id="too many zip entries",
    ),
    pytest.param(
        lambda d: future_zip_version(write_zip(monthly_report(), d.parent / "z.zip"), d / "a.zip"),
        "unreadable",
        id="zip needing an unsupported version",
    ),
    pytest.param(
        lambda d: future_zip_version(_tmp_xlsx(d), d / "a.xlsx"),
        "unreadable",
        id="xlsx needing an unsupported zip version",
    ),
    pytest.param(
        lambda d: (d / "a.pdf").write_bytes(b"%PDF-1.4") and d / "a.pdf",
        "unknown_format",
        id="pdf",
    ),
    pytest.param(
        lambda d: (d / "KLIEN.csv").write_text("a,b\n") and d / "KLIEN.csv",
        "csv_without_identitas",
        id="lone csv without IDENTITAS",
    ),
    pytest.param(
        lambda d: write_csv_folder(monthly_report(), d / "csv", Style(drop_sheets=("POKMAS",))),
        "missing_sheet",
        id="csv folder without POKMAS",
    ),
    pytest.param(
        lambda d: write_zip(monthly_report(), d / "a.zip", Style(drop_columns=("kode_bapas",))),
        "missing_column",
        id="zip csv without kode_bapas",
    ),
]


@pytest.mark.parametrize(("build", "code"), CASES)
def test_refusal(lipas_home: Settings, build: Callable[[Path], Path], code: str) -> None:
    build(lipas_home.landing_dir)
    summary = run_ingest(lipas_home)
    assert (summary.rejected, summary.accepted) == (1, 0), summary
    result = summary.files[0]
    assert result.error_code == code
    status, error_code, archived = query(
        lipas_home, "SELECT status, error_code, archived_path FROM ledger.submissions"
    )[0]
    assert (status, error_code) == ("rejected", code)
    assert Path(str(archived)).exists(), "the original must be archived"
    folder = find_quarantine(lipas_home.quarantine_dir, result.submission_id)
    assert folder is not None
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["error_code"] == code
    text = (folder / "laporan_penolakan.txt").read_text(encoding="utf-8")
    assert "Masalah:" in text and "Problem:" in text and "Cara memperbaiki:" in text
    assert report["message_id"] and report["message_en"]
    assert landing_files(lipas_home) == []
    for table in ("monthly_klien", "monthly_identitas"):
        assert query(lipas_home, f"SELECT count(*) FROM raw.{table}") == [(0,)]


def test_oversized_file_is_refused(lipas_home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_MAX_FILE_MB", "0.001")  # ~1 KB
    settings = load_settings()
    write_xlsx(monthly_report(), settings.landing_dir / "a.xlsx")
    summary = run_ingest(settings)
    assert summary.files[0].error_code == "too_large"


def test_missing_column_report_names_sheet_row_and_fix(lipas_home: Settings) -> None:
    write_xlsx(
        monthly_report(), lipas_home.landing_dir / "a.xlsx",
        Style(header_row=1, drop_columns=("jenis_program",)),
    )  # fmt: skip
    summary = run_ingest(lipas_home)
    folder = find_quarantine(lipas_home.quarantine_dir, summary.files[0].submission_id)
    assert folder is not None
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert (report["sheet"], report["row"], report["column"]) == ("KLIEN", 2, "jenis_program")
    assert "jenis program" in report["hint_id"] and "Add column" in report["hint_en"]


def test_one_bad_file_does_not_stop_the_others(lipas_home: Settings) -> None:
    zip_bomb(lipas_home.landing_dir / "bomb.zip")
    write_xlsx(monthly_report(), lipas_home.landing_dir / "good.xlsx")
    summary = run_ingest(lipas_home)
    assert (summary.accepted, summary.rejected) == (1, 1)
