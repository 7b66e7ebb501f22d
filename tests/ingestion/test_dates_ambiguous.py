"""Day/month order of text dates: decided per column and per file, never swapped silently.

Issue #11 item 8: a CSV exported by LibreOffice in an en-US locale ('6/13/2026', '6/13/26') had
1,137 of 3,198 dates read day/month swapped without a row issue (IDENTITAS.tanggal_laporan
included) and the rest nulled, and the file was accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from core.settings import Settings
from ingestion.values import PARSERS, parse_date
from tests.fixtures.ingestion.builders import Report, monthly_report, write_xlsx, write_zip
from tests.ingestion.ingest_helpers import query, run_ingest


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def us_long(value: dt.date) -> str:
    """What LibreOffice en-US writes for a date cell in 'MM/DD/YYYY' style: '6/13/2026'."""
    return f"{value.month}/{value.day}/{value.year}"


def us_short(value: dt.date) -> str:
    """LibreOffice en-US's default short date: '6/13/26'."""
    return f"{value.month}/{value.day}/{value.year % 100:02d}"


def dmy(value: dt.date) -> str:
    """The Indonesian order: '05/04/2025'."""
    return value.strftime("%d/%m/%Y")


def as_text(report: Report, render: Callable[[dt.date], str]) -> Report:
    """Every date cell of the report written as text by `render` (a CSV export)."""
    out = report.copy()
    for rows in out.sheets.values():
        for row in rows:
            for column, value in row.items():
                if isinstance(value, dt.date):
                    row[column] = render(value)
    return out


def _report() -> Report:
    """The fixture report with a tanggal_laporan whose day is 12 or under (5 April 2025)."""
    report = monthly_report()
    report.sheets["IDENTITAS"][0]["tanggal_laporan"] = dt.date(2025, 4, 5)
    return report


def _issues(settings: Settings) -> list[tuple[object, ...]]:
    return query(
        settings,
        "SELECT sheet, column_name, issue_code, message_id FROM ledger.row_issues "
        "ORDER BY sheet, column_name, row_number",
    )


def _dates(settings: Settings) -> dict[str, object]:
    (laporan,) = query(settings, "SELECT tanggal_laporan FROM raw.monthly_identitas")[0]
    klien = query(
        settings,
        "SELECT tanggal_mulai, tanggal_selesai_rencana, nik_birthdate_match "
        "FROM raw.monthly_klien ORDER BY no_register",
    )
    (pks,) = query(settings, "SELECT tanggal_pks FROM raw.monthly_pokmas")[0]
    (kegiatan,) = query(settings, "SELECT tanggal FROM raw.monthly_kegiatan")[0]
    return {"laporan": laporan, "klien": klien, "pks": pks, "kegiatan": kegiatan}


EXPECTED = {
    "laporan": dt.date(2025, 4, 5),
    "klien": [(dt.date(2024, 6, 1), dt.date(2026, 6, 1), True)] * 4,
    "pks": dt.date(2024, 1, 10),
    "kegiatan": dt.date(2025, 3, 5),
}


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(us_long, id="en-US export M/D/YYYY"),
        pytest.param(us_short, id="en-US export M/D/YY (two-digit years)"),
    ],
)
def test_us_export_is_read_month_day_with_one_issue(
    lipas_home: Settings, render: Callable[[dt.date], str]
) -> None:
    # Regression: read as dd/mm, '3/12/1985' became 3 December (NIK birth date mismatch),
    # '4/5/2025' in IDENTITAS became 4 May, '1/10/2024' 1 October, and '12/15/1990' or any
    # two-digit year was nulled as invalid_date; the file was accepted with no word about it.
    write_zip(as_text(_report(), render), lipas_home.landing_dir / "us.zip")
    summary = run_ingest(lipas_home)
    assert summary.accepted == 1
    assert _dates(lipas_home) == EXPECTED
    issues = _issues(lipas_home)
    # One cause, one finding: a single issue naming every month/day column, no invalid_date.
    assert [i[2] for i in issues] == ["date_format_us"]
    message = str(issues[0][3])
    assert "bulan/hari/tahun (AS)" in message and "gunakan dd/mm/yyyy" in message
    for column in ("IDENTITAS.tanggal_laporan", "KLIEN.tanggal_lahir", "POKMAS.tanggal_pks"):
        assert column in message


def test_indonesian_export_settles_ambiguous_identitas_date_silently(lipas_home: Settings) -> None:
    # The other columns of the file settle dd/mm (15/12/1990): IDENTITAS's lone 05/04/2025
    # follows them with no note (a note on every Indonesian CSV would be noise).
    write_zip(as_text(_report(), dmy), lipas_home.landing_dir / "id.zip")
    run_ingest(lipas_home)
    assert _dates(lipas_home) == EXPECTED
    assert _issues(lipas_home) == []


def test_all_ambiguous_file_assumes_day_month_with_one_issue(lipas_home: Settings) -> None:
    # No date in the file has a part over 12: dd/mm is assumed and said once, for the file.
    report = _report()
    for row in report.sheets["KLIEN"]:
        row["tanggal_lahir"] = dt.date(1985, 3, 12)
    write_zip(as_text(report, dmy), lipas_home.landing_dir / "amb.zip")
    run_ingest(lipas_home)
    issues = _issues(lipas_home)
    assert [(i[0], i[2]) for i in issues] == [("IDENTITAS", "date_order_assumed")]
    assert "dibaca sebagai hari/bulan/tahun (dd/mm/yyyy)" in str(issues[0][3])
    assert "KLIEN.tanggal_mulai" in str(issues[0][3])
    (laporan,) = query(lipas_home, "SELECT tanggal_laporan FROM raw.monthly_identitas")[0]
    assert laporan == dt.date(2025, 4, 5)


def test_column_mixing_both_orders_reports_the_conflicting_cells(lipas_home: Settings) -> None:
    report = _report()
    starts = (dt.date(2024, 6, 13), dt.date(2024, 6, 14), dt.date(2024, 6, 15))
    for row, start in zip(report.sheets["KLIEN"], starts, strict=False):
        row["tanggal_mulai"] = start
    text = as_text(report, dmy)
    text.sheets["KLIEN"][2]["tanggal_mulai"] = "06/15/2024"  # typed month first, once
    write_zip(text, lipas_home.landing_dir / "mixed.zip")
    run_ingest(lipas_home)
    issues = query(
        lipas_home,
        "SELECT sheet, row_number, column_name, issue_code FROM ledger.row_issues",
    )
    # Header on row 1, so the third client is on row 4; the cell is still read (15 June).
    assert issues == [("KLIEN", 4, "tanggal_mulai", "date_order_conflict")]
    starts_read = query(
        lipas_home, "SELECT tanggal_mulai FROM raw.monthly_klien ORDER BY no_register"
    )
    assert [r[0] for r in starts_read[:3]] == list(starts)


def test_real_date_cells_need_no_decision(lipas_home: Settings, tmp_path: Path) -> None:
    write_xlsx(_report(), lipas_home.landing_dir / "a.xlsx")
    run_ingest(lipas_home)
    assert _issues(lipas_home) == []
    assert _dates(lipas_home) == EXPECTED


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        pytest.param("6/13/2026", None, dt.date(2026, 6, 13), id="only month/day possible"),
        pytest.param("13/6/2026", "mdy", dt.date(2026, 6, 13), id="only day/month possible"),
        pytest.param("4/5/2025", None, dt.date(2025, 5, 4), id="ambiguous, default dd/mm"),
        pytest.param("4/5/2025", "mdy", dt.date(2025, 4, 5), id="ambiguous, file says mm/dd"),
        pytest.param("6/13/26", None, dt.date(2026, 6, 13), id="two-digit year 26 = 2026"),
        pytest.param("3/12/85", "mdy", dt.date(1985, 3, 12), id="two-digit year 85 = 1985"),
        pytest.param("29/02/2025", None, None, id="no such day"),
    ],
)
def test_parse_date_never_swaps(text: str, order: str | None, expected: dt.date | None) -> None:
    result = parse_date(pd.Series([text], dtype=object), order)
    assert result.values.to_pylist() == [expected]
    assert bool(result.bad[0]) is (expected is None)


def test_column_evidence_decides_without_a_file_order() -> None:
    # Regression: dd/mm was applied to every cell, so '6/13/2026' was NULL and '4/5/2025' May.
    raw = pd.Series(["6/13/2026", "4/5/2025", "12/31/2025"], dtype=object)
    assert PARSERS["date"](raw).values.to_pylist() == [
        dt.date(2026, 6, 13), dt.date(2025, 4, 5), dt.date(2025, 12, 31)
    ]  # fmt: skip
