"""Property test: any value in any typed cell of the contract goes through ingest + check.

Every typed column of every sheet (contract.yaml) gets every kind of hostile value once per
example: the values are laid out as a Latin square over one submission per Bapas (file f puts
kind (f + j + shift) mod n into the j-th typed column; even files .xlsx, odd ones CSV), so one
ingestion and one `run_checks` (with GX, as `lipas check` runs it) cover all (column, kind)
pairs. Hypothesis draws the concrete values of each kind and the shift.

Asserted: ingestion and the checks finish; a cell the contract calls wrong is named by a
validity finding (sheet, row, column); no finding carries a run of 12+ digits.
Regression for issue #11 (blank Y/N, whole-number and date cells crashed `lipas check`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.contract.model import ColumnSpec, load_contract
from core.reference import load_bapas
from core.settings import Settings, load_settings
from ingestion.pipeline import ingest_landing
from quality.runner import run_checks
from tests.fixtures.ingestion.builders import (
    Report,
    Style,
    _sheets,
    annual_plan,
    csv_bytes,
    monthly_report,
    set_mtime,
)

pytestmark = pytest.mark.slow
LONG_RUN = re.compile(r"\d(?:[\s.\-]?\d){11,}")
PERIOD_COLUMNS = {"periode", "tahun"}  # structural: a bad one rejects the file (tested apart)
NUMERIC = {"integer", "rupiah", "decimal"}
KINDS = ("blank", "space", "word", "unicode", "formula", "long", "negative", "huge", "nik")
RECEIVED = dt.datetime(2025, 4, 3, 2)


@dataclass(frozen=True)
class Cell:
    """One typed column of a sheet, and where its hostile value goes (first data row)."""

    kind: str
    sheet: str
    column: ColumnSpec


def _typed_cells(kind: str) -> list[Cell]:
    sheets = load_contract().kind(kind).sheets
    return [
        Cell(kind, sheet.name, col)
        for sheet in sheets
        for col in sheet.columns
        if col.type != "text" and col.pii != "drop" and col.name not in PERIOD_COLUMNS
    ]


def must_report(col: ColumnSpec, hostile: str) -> bool | None:
    """What the contract says about this value in this column: True = wrong, None = no claim.

    Blank is wrong only in required, non-nullable columns. Text that is no number, date or
    code is wrong in every typed column. A negative number or one beyond 64 bits is wrong in
    every numeric column (all have min >= 0), Y/N and code columns; as a date it is an Excel
    serial and left to the date rules. A 16-digit number is wrong only where a maximum exists.
    """
    if hostile in ("blank", "space"):
        return col.required and not col.nullable
    if hostile in ("word", "unicode", "formula", "long"):
        return True
    structured = col.type in NUMERIC | {"yn", "code", "codes"}
    if hostile == "negative":
        return True if structured or col.type == "nik" else None
    if hostile == "huge":
        return True if structured or col.type in ("nik", "date") else None
    if hostile == "nik":
        return True if col.type in ("yn", "code", "codes") or col.max is not None else None
    return None


def _strategies() -> dict[str, st.SearchStrategy[Any]]:
    # Prefixes keep a drawn word from ever being a valid code or Y/N ("ya", "l").
    return {
        "blank": st.just(None),
        "space": st.sampled_from([" ", "   ", "\t", "\u00a0", " \u3000 "]),
        "word": st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).map(
            lambda t: "qz" + t
        ),
        "unicode": st.text(
            st.characters(min_codepoint=0x0400, max_codepoint=0x9FFF, categories=["Lo", "Ll"]),
            min_size=1,
            max_size=6,
        ).map(lambda t: "✓" + t + "😀"),
        "formula": st.sampled_from(["=SUM(A1:A3)", "=A1*2", '=HYPERLINK("x")', "=NOW()"]),
        "long": st.sampled_from(["x" * 10_000, "Lorem ipsum " * 900]),
        "negative": st.one_of(st.integers(-(10**9), -1), st.sampled_from([-0.5, -1e15])),
        "huge": st.one_of(
            st.sampled_from([1e300, 99999999999999999999, 10**19, 1.7e308]),
            st.floats(min_value=1e19, max_value=1e300),
        ),
        "nik": st.sampled_from([3578013003030005, 3201011203850001]),
    }


def _valid_report(kind: str, bapas: str) -> Report:
    if kind == "annual_plan":
        return annual_plan(bapas, 2025)
    report = monthly_report(bapas, "2025-03")
    report.sheets["GRIYA_ABHIPRAYA"] = [
        {"kapasitas": 10, "penghuni_awal": 5, "masuk": 1, "keluar": 1, "penghuni_akhir": 5}
    ]
    return report


def _write_xlsx(report: Report, path: Path) -> Path:
    """Like a clerk's Excel: text stays text (a typed "=SUM(..)" is not a formula)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "nan_inf_to_errors": True})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, grid in _sheets(report, Style()):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    stamp = dt.datetime.combine(value, dt.time())
                    sheet.write_datetime(r, c, stamp, date_format)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return path


def _write_csv(report: Report, folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, grid in _sheets(report, Style()):
        (folder / f"{name}.csv").write_bytes(csv_bytes(grid))
    return folder


WRITERS: tuple[Callable[[Report, Path], Path], ...] = (
    lambda r, d: _write_xlsx(r, d.with_suffix(".xlsx")),
    _write_csv,
)


def _findings(home: Settings) -> list[tuple[str, str | None, str, str]]:
    con = duckdb.connect(str(home.warehouse_path), read_only=True)
    try:
        return con.execute(
            "select rule_id, kode_bapas, sample_rows, message_id || hint_id || message_en"
            " || hint_en from quality.findings where status <> 'resolved'"
        ).fetchall()
    finally:
        con.close()


def _reported(found: list[tuple[str, str | None, str, str]]) -> set[tuple[str, str, int, str]]:
    """(bapas, sheet, row, column) named by a validity finding's samples."""
    return {
        (str(bapas), s["sheet"], s["row"], s["column"])
        for rule_id, bapas, samples, _text in found
        if rule_id.startswith("VAL_")
        for s in json.loads(samples)
    }


def _bapas_codes() -> list[str]:
    return [b.kode_bapas for b in load_bapas() if b.aktif_sampai is None]


@settings(
    max_examples=2,
    derandomize=True,
    deadline=None,
    # Each example is a whole ingest + check run: shrinking would take minutes, and the
    # failure message already names the cell, its kind and its value.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.fixed_dictionaries(_strategies()), shift=st.integers(0, len(KINDS) - 1))
def test_any_value_in_any_typed_cell_is_checked_and_reported(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    values: dict[str, Any],
    shift: int,
) -> None:
    monkeypatch.setenv("LIPAS_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("LIPAS_ENV", "dev")
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    home = load_settings()
    home.ensure_dirs()
    codes = iter(_bapas_codes())
    expected: dict[tuple[str, str, int, str], tuple[str, object]] = {}
    used: set[str] = set()
    for kind, f in itertools.product(("monthly", "annual_plan"), range(len(KINDS))):
        bapas = next(codes)
        used.add(bapas)
        report = _valid_report(kind, bapas)
        for j, cell in enumerate(_typed_cells(kind)):
            hostile = KINDS[(f + j + shift) % len(KINDS)]
            report.sheets[cell.sheet][0][cell.column.name] = values[hostile]
            if must_report(cell.column, hostile):
                expected[(bapas, cell.sheet, 2, cell.column.name)] = (hostile, values[hostile])
        path = WRITERS[f % 2](report, home.landing_dir / f"{bapas}_{kind}")
        set_mtime(path, RECEIVED)
    # The period cell decides which report a file is: every hostile one rejects the file.
    rejected: set[str] = set()
    for kind, f in itertools.product(("monthly", "annual_plan"), range(len(KINDS))):
        bapas = next(codes)
        rejected.add(bapas)
        report = _valid_report(kind, bapas)
        column = load_contract().kind(kind).period_column
        report.sheets["IDENTITAS"][0][column] = values[KINDS[f]]
        set_mtime(WRITERS[(f + shift) % 2](report, home.landing_dir / f"{bapas}_p"), RECEIVED)

    summary = ingest_landing(home)
    assert {f.kode_bapas for f in summary.files if f.status == "accepted"} == used
    assert summary.rejected == len(rejected)
    typed = {(c.sheet, c.column.name) for k in ("monthly", "annual_plan") for c in _typed_cells(k)}
    assert {(sheet, column) for _b, sheet, _r, column in expected} == typed  # all covered
    # Data Docs rendering is covered by test_hostile_cells; the GX suites run here as in check.
    run_checks(home, as_of=dt.date(2025, 4, 20), periods=["2025-03"],
               bapas=frozenset(used | rejected), data_docs=False)  # fmt: skip

    found = _findings(home)
    assert {str(b) for rule_id, b, _s, _t in found if rule_id == "REJ_FILE"} == rejected
    reported = _reported(found)
    missed = {cell: expected[cell] for cell in expected if cell not in reported}
    assert not missed, {k: (h, str(v)[:30]) for k, (h, v) in missed.items()}
    leaks = [(rule_id, text) for rule_id, _b, samples, text in found
             if LONG_RUN.search(samples) or LONG_RUN.search(text)]  # fmt: skip
    assert leaks == []
