"""A rejected file keeps the identity that could be read (kind, known Bapas, readable period)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.settings import Settings
from tests.fixtures.ingestion.builders import (
    Style,
    annual_plan,
    monthly_report,
    write_csv_folder,
    write_xlsx,
    write_zip,
)
from tests.fixtures.ingestion.hostile import ole_file
from tests.ingestion.ingest_helpers import query, run_ingest


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


def _empty_identity(landing: Path) -> Path:
    report = monthly_report()
    report.sheets["IDENTITAS"] = [{k: None for k in report.sheets["IDENTITAS"][0]}]
    return write_xlsx(report, landing / "a.xlsx")


def _annual_inactive(landing: Path) -> Path:
    return write_xlsx(annual_plan("BP1402", 2023), landing / "a.xlsx")


# (report_kind, kode_bapas, periode) expected in the ledger; None = could not be known.
CASES = [
    pytest.param(
        _identity(kode_bapas="BP9999"), "unknown_bapas", ("monthly", None, "2025-03"),
        id="unknown_bapas: raw code never stored as kode_bapas",
    ),
    pytest.param(
        _identity(kode_bapas="BP1402", periode="2023-05"), "inactive_bapas",
        ("monthly", "BP1402", "2023-05"), id="inactive_bapas: both known",
    ),
    pytest.param(
        _annual_inactive, "inactive_bapas", ("annual_plan", "BP1402", "2023"),
        id="inactive_bapas: annual plan",
    ),
    pytest.param(
        _identity(periode="Maret 2025"), "bad_period", ("monthly", "BP3201", None),
        id="bad_period: Bapas known",
    ),
    pytest.param(
        _identity(kode_bapas="BP9999", periode="2025-13"), "unknown_bapas",
        ("monthly", None, None), id="unknown_bapas and bad period: nothing but the kind",
    ),
    pytest.param(
        _styled(Style(drop_sheets=("KLIEN",))), "missing_sheet", ("monthly", "BP3201", "2025-03"),
        id="missing_sheet: KLIEN",
    ),
    pytest.param(
        _styled(Style(drop_sheets=("IDENTITAS",))), "missing_sheet", (None, None, None),
        id="missing_sheet: IDENTITAS",
    ),
    pytest.param(
        _styled(Style(drop_columns=("status_akhir_bulan",))), "missing_column",
        ("monthly", "BP3201", "2025-03"), id="missing_column: in KLIEN",
    ),
    pytest.param(
        _styled(Style(drop_columns=("periode",))), "missing_column", (None, "BP3201", None),
        id="missing_column: IDENTITAS without periode",
    ),
    pytest.param(
        lambda d: write_zip(monthly_report(), d / "a.zip", Style(drop_columns=("kode_bapas",))),
        "missing_column", ("monthly", None, "2025-03"),
        id="missing_column: IDENTITAS without kode_bapas",
    ),
    pytest.param(
        lambda d: write_csv_folder(monthly_report(), d / "csv", Style(drop_sheets=("POKMAS",))),
        "missing_sheet", ("monthly", "BP3201", "2025-03"), id="missing_sheet: csv folder",
    ),
    pytest.param(
        _empty_identity, "empty_sheet", ("monthly", None, None), id="empty_sheet: IDENTITAS",
    ),
    pytest.param(
        lambda d: ole_file(d / "a.xlsx", encrypted=True), "encrypted", (None, None, None),
        id="encrypted: nothing readable",
    ),
    pytest.param(
        lambda d: (d / "a.pdf").write_bytes(b"%PDF-1.4") and d / "a.pdf", "unknown_format",
        (None, None, None), id="unknown_format: nothing readable",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("build", "code", "identity"), CASES)
def test_rejected_ledger_row_carries_known_identity(
    lipas_home: Settings,
    build: Callable[[Path], Path],
    code: str,
    identity: tuple[str | None, str | None, str | None],
) -> None:
    build(lipas_home.landing_dir)
    summary = run_ingest(lipas_home)
    result = summary.files[0]
    assert (result.status, result.error_code) == ("rejected", code)
    row = query(
        lipas_home,
        "SELECT error_code, report_kind, kode_bapas, periode FROM ledger.submissions",
    )
    assert row == [(code, *identity)]
    assert (result.report_kind, result.kode_bapas, result.period) == identity
