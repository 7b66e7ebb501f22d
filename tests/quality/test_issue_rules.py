"""Row issues named by their cause: one finding each, with its own rule, not the generic VAL_PARSE.

Regression for DESIGN §9 "one cause, one finding, named by its cause": formula cells without a
value, NIKs rounded by Excel and dates typed month/day were reported as VAL_PARSE "nilai tidak
terbaca (formula_no_value)" — a technical code the clerk cannot act on, at the severity of an
unreadable cell whatever the cause.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pytest

from core.settings import Settings
from quality.catalogue import rule
from quality.parse_issues import ISSUE_RULES
from quality.runner import run_checks
from tests.fixtures.ingestion.builders import Report, monthly_report, write_zip
from tests.ingestion.ingest_helpers import run_ingest
from tests.ingestion.test_dates_ambiguous import as_text, dmy, us_long
from tests.ingestion.test_sheets_excel import ROUNDED_NIKS, _with_formula, _workbook
from tests.quality.test_hostile_cells import AS_OF

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def _check(settings: Settings, *, with_gx: bool) -> list[dict[str, Any]]:
    assert run_ingest(settings).accepted == 1
    run_checks(settings, as_of=AS_OF, periods=["2025-03"], with_gx=with_gx, data_docs=False)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cur = con.execute(
            "select rule_id, severity, sample_rows, message_id, hint_id, message_en, hint_en"
            " from quality.findings where status <> 'resolved'"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _cells(finding: dict[str, Any]) -> set[tuple[str, int, str]]:
    return {(s["sheet"], s["row"], s["column"]) for s in json.loads(finding["sample_rows"])}


def _only(findings: list[dict[str, Any]], rule_id: str) -> dict[str, Any]:
    hits = [f for f in findings if f["rule_id"] == rule_id]
    assert len(hits) == 1, (rule_id, [f["rule_id"] for f in findings])
    return hits[0]


def _reported_by(findings: list[dict[str, Any]], cell: tuple[str, int, str]) -> list[str]:
    """Validity rule ids of the findings whose samples name this cell."""
    return sorted(
        f["rule_id"] for f in findings if f["rule_id"].startswith("VAL_") and cell in _cells(f)
    )


def _no_technical_code(finding: dict[str, Any]) -> None:
    for field in ("message_id", "hint_id"):
        text = str(finding[field])
        assert not any(code in text for code in ISSUE_RULES), (field, text)
        assert "{" not in text, (field, text)


def test_formula_without_value_is_its_own_error(lipas_home: Settings) -> None:
    report = _with_formula(monthly_report(), "KLIEN", "wajib_lapor_hadir", [0, 1, 2])
    _workbook(lipas_home.landing_dir / "BP3201_2025-03.xlsx", report)
    found = _check(lipas_home, with_gx=True)
    finding = _only(found, "VAL_FORMULA_NO_VALUE")
    assert finding["severity"] == "error"  # the value is lost
    assert "rumus tanpa nilai" in finding["message_id"]
    assert "Excel/LibreOffice" in finding["hint_id"] and "simpan ulang" in finding["hint_id"]
    assert "formula without a stored value" in finding["message_en"]
    _no_technical_code(finding)
    for row in (2, 3, 4):
        # Not also VAL_PARSE, nor "empty" (VAL_KLIEN_WAJIB_LAPOR_HADIR_NOT_NULL).
        assert _reported_by(found, ("KLIEN", row, "wajib_lapor_hadir")) == ["VAL_FORMULA_NO_VALUE"]


def test_nik_rounded_by_excel_is_its_own_error(lipas_home: Settings) -> None:
    report = monthly_report()
    for row, nik in zip(report.sheets["KLIEN"], ROUNDED_NIKS, strict=True):
        row["nik"] = nik
    _workbook(lipas_home.landing_dir / "BP3201_2025-03.xlsx", report)
    found = _check(lipas_home, with_gx=True)
    finding = _only(found, "VAL_NIK_ROUNDED")
    assert finding["severity"] == "error"  # the client cannot be followed
    assert "NIK dibulatkan Excel" in finding["message_id"]
    assert "format kolom NIK sebagai Teks" in finding["hint_id"]
    assert "ketik ulang NIK lengkap" in finding["hint_id"]
    _no_technical_code(finding)
    assert _cells(finding) == {("KLIEN", row, "nik") for row in (2, 3, 4, 5)}
    for row in (2, 3, 4, 5):
        assert _reported_by(found, ("KLIEN", row, "nik")) == ["VAL_NIK_ROUNDED"]
    assert "VAL_PARSE" not in {f["rule_id"] for f in found}


def _dates_report() -> Report:
    report = monthly_report()
    report.sheets["IDENTITAS"][0]["tanggal_laporan"] = dt.date(2025, 4, 5)
    return report


def test_us_dates_are_one_warning_naming_the_format(lipas_home: Settings) -> None:
    write_zip(as_text(_dates_report(), us_long), lipas_home.landing_dir / "us.zip")
    found = _check(lipas_home, with_gx=False)
    finding = _only(found, "VAL_DATE_FORMAT")
    assert finding["severity"] == "warning"  # read correctly, only the format is wrong
    assert "bulan/hari/tahun (format AS)" in finding["message_id"]
    assert "dd/mm/yyyy" in finding["hint_id"] and "KLIEN.tanggal_lahir" in finding["hint_id"]
    _no_technical_code(finding)
    # One cause, one finding: nothing else about dates.
    assert [f["rule_id"] for f in found if f["rule_id"].startswith("VAL_")] == ["VAL_DATE_FORMAT"]


def test_ambiguous_dates_assumed_day_month_are_one_note(lipas_home: Settings) -> None:
    report = _dates_report()
    for row in report.sheets["KLIEN"]:
        row["tanggal_lahir"] = dt.date(1985, 3, 12)
    write_zip(as_text(report, dmy), lipas_home.landing_dir / "amb.zip")
    found = _check(lipas_home, with_gx=False)
    finding = _only(found, "VAL_DATE_ORDER_ASSUMED")
    assert finding["severity"] == "info"
    assert "dibaca sebagai hari/bulan/tahun" in finding["message_id"]
    _no_technical_code(finding)
    assert "VAL_PARSE" not in {f["rule_id"] for f in found}


def test_date_in_the_other_order_is_a_warning_on_that_cell(lipas_home: Settings) -> None:
    report = _dates_report()
    starts = (dt.date(2024, 6, 13), dt.date(2024, 6, 14), dt.date(2024, 6, 15))
    for row, start in zip(report.sheets["KLIEN"], starts, strict=False):
        row["tanggal_mulai"] = start
    text = as_text(report, dmy)
    text.sheets["KLIEN"][2]["tanggal_mulai"] = "06/15/2024"  # typed month first, once
    write_zip(text, lipas_home.landing_dir / "mixed.zip")
    found = _check(lipas_home, with_gx=False)
    finding = _only(found, "VAL_DATE_ORDER_CONFLICT")
    assert finding["severity"] == "warning"
    assert "bulan/hari" in finding["message_id"] and "baris 4" in finding["hint_id"]
    _no_technical_code(finding)
    assert _reported_by(found, ("KLIEN", 4, "tanggal_mulai")) == ["VAL_DATE_ORDER_CONFLICT"]


def test_generic_parse_message_shows_no_technical_code() -> None:
    # Was: "nilai tidak terbaca (invalid_yn)"; the code stays in the English operator text.
    meta = rule("VAL_PARSE")
    assert "{issue_code}" not in meta.message_id and "{issue_code}" in meta.message_en
    for code, rule_id in ISSUE_RULES.items():
        assert rule(rule_id).family == "validity", code
