"""Hostile cells through ingestion and `lipas check`: blank, unreadable and NIK-like values.

Regression for issue #11: a blank Y/N, whole-number or date cell made GX hand back pd.NA and
`check` crashed with "boolean value of NA is ambiguous" before writing any finding; an
unreadable cell was reported twice (unreadable + empty) with a hint naming the parser; a NIK
typed into a count or Rupiah column reached findings and Data Docs verbatim.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from core.settings import Settings
from ingestion.pipeline import ingest_landing
from quality.findings import reconcile
from quality.model import FindingDraft, RuleMeta, SampleRow
from quality.redaction import display_value, scrub_value
from quality.runner import run_checks
from quality.store import ensure_quality_tables
from tests.fixtures.ingestion.builders import (
    Report,
    Style,
    monthly_report,
    set_mtime,
    write_csv_folder,
    write_xlsx,
)

pytestmark = pytest.mark.slow
LONG_RUN = re.compile(r"\d(?:[\s.\-]?\d){11,}")
NIK_LIKE = 3578013003030005
# The NIK's digits with any separators a formatter may add (Rp 3.578.013..., 3,578,013...).
NIK_DIGITS = re.compile(r"[\s.,\-]?".join(str(NIK_LIKE)))
AS_OF = dt.date(2025, 4, 20)
MASKED = "[angka panjang disamarkan / long number redacted]"


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def _ingest(settings: Settings, report: Report, name: str, style: Style | None = None) -> None:
    if name.endswith(".xlsx"):
        path = write_xlsx(report, settings.landing_dir / name, style)
    else:
        path = write_csv_folder(report, settings.landing_dir / name, style)
    set_mtime(path, dt.datetime(2025, 4, 3, 2))
    summary = ingest_landing(settings)
    assert summary.accepted == 1, summary


def _findings(settings: Settings) -> list[dict[str, Any]]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        cur = con.execute(
            "select rule_id, affected_rows, sample_rows, message_id, hint_id, message_en, hint_en"
            " from quality.findings where status <> 'resolved'"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def _reports_of(findings: list[dict[str, Any]], sheet: str, row: int, column: str) -> list[str]:
    """Validity rule ids of the findings whose samples name this cell."""
    return [
        f["rule_id"]
        for f in findings
        for s in json.loads(f["sample_rows"])
        if (s["sheet"], s["row"], s["column"]) == (sheet, row, column)
        and f["rule_id"].startswith("VAL_")
    ]


def _hint_for(findings: list[dict[str, Any]], rule_id: str, column: str) -> dict[str, Any]:
    hits = [
        f
        for f in findings
        if f["rule_id"] == rule_id
        and any(s["column"] == column for s in json.loads(f["sample_rows"]))
    ]
    assert len(hits) == 1, (rule_id, column, findings)
    return hits[0]


def _hostile_report() -> Report:
    report = monthly_report("BP3201", "2025-03")
    klien = report.sheets["KLIEN"]
    klien[0]["tindak_pidana_baru"] = None  # row 2: blank Y/N
    klien[1]["tindak_pidana_baru"] = "mungkin"  # row 3: unreadable Y/N
    klien[2]["wajib_lapor_jadwal"] = "empat"  # row 4: unreadable whole number
    klien[3]["tanggal_lahir"] = None  # row 5: blank date (generalised to an age)
    klien[3]["wajib_lapor_hadir"] = None  # row 5: blank whole number
    report.sheets["PESERTA"][0]["hadir"] = None  # row 2
    report.sheets["KEGIATAN"][0]["jumlah_peserta"] = None  # row 2
    report.sheets["KEGIATAN"][0]["tanggal"] = "besok"  # row 2: unreadable date
    return report


@pytest.mark.parametrize("name", ["BP3201_2025-03.xlsx", "BP3201_2025-03"], ids=["xlsx", "csv"])
def test_blank_and_unreadable_cells_are_reported_once(lipas_home: Settings, name: str) -> None:
    # Was: TypeError "boolean value of NA is ambiguous" in quality/validity.py, no findings.
    _ingest(lipas_home, _hostile_report(), name)
    run_checks(lipas_home, as_of=AS_OF, periods=["2025-03"], bapas=frozenset({"BP3201"}))
    found = _findings(lipas_home)
    cells = {
        ("KLIEN", 2, "tindak_pidana_baru"): "VAL_KLIEN_TINDAK_PIDANA_BARU_NOT_NULL",
        ("KLIEN", 3, "tindak_pidana_baru"): "VAL_PARSE",
        ("KLIEN", 4, "wajib_lapor_jadwal"): "VAL_PARSE",
        ("KLIEN", 5, "tanggal_lahir"): "VAL_KLIEN_UMUR_AKHIR_PERIODE_NOT_NULL",
        ("KLIEN", 5, "wajib_lapor_hadir"): "VAL_KLIEN_WAJIB_LAPOR_HADIR_NOT_NULL",
        ("PESERTA", 2, "hadir"): "VAL_PESERTA_HADIR_NOT_NULL",
        ("KEGIATAN", 2, "jumlah_peserta"): "VAL_KEGIATAN_JUMLAH_PESERTA_NOT_NULL",
        ("KEGIATAN", 2, "tanggal"): "VAL_PARSE",
    }
    for (sheet, row, column), rule_id in cells.items():
        # Once: an unreadable cell (stored NULL) is not also reported as empty.
        assert _reports_of(found, sheet, row, column) == [rule_id], (sheet, row, column)

    unreadable = _hint_for(found, "VAL_PARSE", "tindak_pidana_baru")
    assert "mungkin" in unreadable["hint_id"] and "Y atau N" in unreadable["hint_id"]
    assert "Y or N" in unreadable["hint_en"]
    assert "NULL" not in unreadable["hint_id"] and "yn" not in unreadable["hint_id"].split()
    number = _hint_for(found, "VAL_PARSE", "wajib_lapor_jadwal")
    assert "empat" in number["hint_id"] and "bilangan bulat" in number["hint_id"]
    assert "0 sampai 31" in number["hint_id"]
    date = _hint_for(found, "VAL_PARSE", "tanggal")
    assert "dd/mm/yyyy" in date["hint_id"]
    blank = _hint_for(found, "VAL_KLIEN_TINDAK_PIDANA_BARU_NOT_NULL", "tindak_pidana_baru")
    assert "Y atau N" in blank["hint_id"] and "baris 2" in blank["hint_id"]
    # The clerk's column, not the warehouse stand-in for the generalised birth date.
    birth = _hint_for(found, "VAL_KLIEN_UMUR_AKHIR_PERIODE_NOT_NULL", "tanggal_lahir")
    assert "tanggal_lahir" in birth["message_id"] and "umur" not in birth["message_id"]
    assert "dd/mm/yyyy" in birth["hint_id"]


def test_blank_required_cells_are_reported_without_gx(lipas_home: Settings) -> None:
    # Was: `lipas check --no-gx` ran but never reported a blank required cell.
    _ingest(lipas_home, _hostile_report(), "BP3201_2025-03.xlsx")
    run_checks(lipas_home, as_of=AS_OF, periods=["2025-03"], with_gx=False)
    found = _findings(lipas_home)
    assert _reports_of(found, "PESERTA", 2, "hadir") == ["VAL_PESERTA_HADIR_NOT_NULL"]
    assert _reports_of(found, "KLIEN", 2, "tindak_pidana_baru") == [
        "VAL_KLIEN_TINDAK_PIDANA_BARU_NOT_NULL"
    ]
    assert _reports_of(found, "KLIEN", 3, "tindak_pidana_baru") == ["VAL_PARSE"]
    # A later run with GX finds the same findings (same ids), so nothing is opened twice.
    run_checks(lipas_home, as_of=AS_OF, periods=["2025-03"], data_docs=False)
    again = _findings(lipas_home)
    assert _reports_of(again, "PESERTA", 2, "hadir") == ["VAL_PESERTA_HADIR_NOT_NULL"]


@pytest.mark.parametrize("rupiah_as", ["number", "text_rp"])
def test_nik_typed_into_numbers_never_leaves_unmasked(
    lipas_home: Settings, caplog: pytest.LogCaptureFixture, rupiah_as: str
) -> None:
    # Was: "Rp 3.578.013.003.030.005" in quality.findings sample values and in GX Data Docs.
    report = monthly_report("BP3201", "2025-03")
    report.sheets["KEGIATAN"][0]["biaya_rp"] = NIK_LIKE
    report.sheets["KLIEN"][0]["wajib_lapor_jadwal"] = NIK_LIKE
    report.sheets["KLIEN"][1]["wajib_lapor_jadwal"] = str(NIK_LIKE)
    report.sheets["KLIEN"][2]["jenis_kelamin"] = f"{NIK_LIKE}"
    caplog.set_level(logging.DEBUG)
    _ingest(lipas_home, report, "BP3201_2025-03.xlsx", Style(rupiah_as=rupiah_as))
    summary = run_checks(lipas_home, as_of=AS_OF, periods=["2025-03"])
    found = _findings(lipas_home)
    assert _reports_of(found, "KLIEN", 2, "wajib_lapor_jadwal")  # reported, but masked
    assert _reports_of(found, "KLIEN", 4, "jenis_kelamin")
    leaks = [(f["rule_id"], v) for f in found for v in f.values() if LONG_RUN.search(str(v))]
    assert leaks == []
    assert summary.data_docs is not None
    docs = Path(summary.data_docs).parent
    pages = [p for p in docs.rglob("*.html") if "validations" in p.parts]
    assert len(pages) >= 5
    # GX's own run timestamps (054542.039499) look like long numbers: look for the NIK itself.
    leaked_pages = [str(p) for p in docs.rglob("*") if p.is_file() and _has_nik(p)]
    assert leaked_pages == []
    assert not [r.getMessage() for r in caplog.records if NIK_DIGITS.search(r.getMessage())]


def _has_nik(path: Path) -> bool:
    return NIK_DIGITS.search(path.read_text(encoding="utf-8", errors="replace")) is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (pd.NA, None),
        (pd.NaT, None),
        (np.nan, None),
        (None, None),
        (np.datetime64("NaT"), None),
        (True, "Y"),
        (np.int64(7), "7"),
        (2.5, "2.5"),
        (3.578013003030005e15, MASKED),
        (decimal.Decimal("3578013003030005.00"), MASKED),
        (1e300, "1e+300"),
        (pd.Timestamp("2025-03-05"), "2025-03-05"),
        ("Rp 3.578.013.003.030.005", "Rp [angka panjang disamarkan / long number redacted]"),
        ("x" * 10_000, "x" * 60 + "…"),
    ],
)
def test_display_value_never_raises_and_masks(value: object, expected: str | None) -> None:
    assert display_value(value) == expected


def test_scrub_value_masks_numbers_inside_gx_results() -> None:
    result = {
        "partial_unexpected_list": [NIK_LIKE, 40, "3578 0130 0303 0005"],
        "partial_unexpected_counts": [{"value": float(NIK_LIKE), "count": 1}],
        "unexpected_percent": 12.5,
        "missing": pd.NA,
    }
    clean = scrub_value(result)
    assert not LONG_RUN.search(json.dumps(clean, default=str))
    assert clean["partial_unexpected_list"][1] == 40 and clean["unexpected_percent"] == 12.5
    assert clean["partial_unexpected_counts"][0]["count"] == 1


def test_scrub_value_keeps_gx_statistics_numeric() -> None:
    # Was: `lipas check` crashed building Data Docs: a percentage of 0.000123456789 read as a
    # 13-digit run, became text, and GX's own result validation compared str < int.
    result = {"unexpected_percent": 0.00012345678901234, "element_count": 123456789012345,
              "observed_value": 0.00012345678901234}  # fmt: skip
    clean = scrub_value(result)
    assert clean == result


def test_reconcile_masks_long_numbers_any_rule_puts_in_a_message(lipas_home: Settings) -> None:
    # Was: a rule formatting a NIK typed as a cost ("Rp {biaya}") stored it verbatim.
    meta = RuleMeta("R_X", "outlier", "warning", "d", "biaya Rp {biaya}", "cost Rp {biaya}",
                    "periksa {biaya}", "check {biaya}")  # fmt: skip
    draft = FindingDraft(
        meta, "BP3201", "2025-03", "KEGIATAN", params={"biaya": "3.578.013.003.030.005"},
        samples=(SampleRow("KEGIATAN", 2, "biaya_rp", "Rp 3.578.013.003.030.005"),),
    )  # fmt: skip
    con = duckdb.connect(str(lipas_home.warehouse_path))
    try:
        ensure_quality_tables(con)
        con.execute("create temp table q_scope as select '2025-03' as periode")
        reconcile(con, [draft], dt.datetime(2025, 4, 20), {})
        row = con.execute(
            "select sample_rows, message_id, message_en, hint_id, hint_en from quality.findings"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    assert not [text for text in row if LONG_RUN.search(text)]
    assert MASKED in row[1]
