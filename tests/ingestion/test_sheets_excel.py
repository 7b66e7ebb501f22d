"""Issue #19 (items 2-5): what Excel does to a workbook must never silently become the data.

Every workbook here is built the way a clerk's tool leaves it: openpyxl (a program that writes
formulas without calculating them, and keeps hidden sheets), Excel's copy names ('KLIEN (2)'),
LibreOffice's ('PESERTA_2'), NIKs typed into number cells (15 significant digits), CSV exports
in scientific notation.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pytest

from core.contract.model import load_contract
from core.contract.template import build_template
from core.errors import SubmissionError
from core.settings import Settings
from ingestion.pseudonymise import DEVELOPMENT_KEY, nik_columns, rounded_niks
from ingestion.readers.csvfiles import open_csv_folder
from ingestion.readers.xlsx import formulas_without_value, open_xlsx
from ingestion.transform import Lineage, build_tables
from ingestion.validate import Structure, validate_structure
from tests.fixtures.ingestion.builders import (
    NIKS,
    Report,
    Style,
    monthly_report,
    write_csv_folder,
    write_xlsx,
)
from tests.ingestion.ingest_helpers import query, run_ingest

LAST_MONTH = [f"OLD-{i:03d}" for i in range(1, 4)]


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def _rows(report: Report, sheet: str) -> list[list[object]]:
    rows = report.sheets[sheet]
    header = list(rows[0])
    return [header] + [[row.get(c) for c in header] for row in rows]


def _workbook(
    path: Path,
    report: Report | None = None,
    extra: list[tuple[str, list[list[object]], str, int | None]] = (),  # type: ignore[assignment]
) -> Path:
    """openpyxl workbook of `report`, plus (name, rows, sheet_state, position) extra sheets."""
    report = report or monthly_report()
    write_xlsx(report, path, writer="openpyxl")
    book = openpyxl.load_workbook(path)
    for name, rows, state, position in extra:
        sheet = book.create_sheet(name, position)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    book.save(path)
    return path


def _structure(path: Path) -> Structure:
    return validate_structure(open_xlsx(path))


def _rejection(path: Path) -> SubmissionError:
    with pytest.raises(SubmissionError) as caught:
        _structure(path)
    return caught.value


def _last_month_clients() -> list[list[object]]:
    report = monthly_report()
    for row, register in zip(report.sheets["KLIEN"], LAST_MONTH, strict=False):
        row["no_register"] = register
    report.sheets["KLIEN"] = report.sheets["KLIEN"][:3]
    return _rows(report, "KLIEN")


# --- item 2: hidden sheets are never the data in force ---------------------------------------


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_copy_before_the_visible_sheet_is_ignored_and_noted(
    lipas_home: Settings, state: str
) -> None:
    # Regression: the current list was in 'DATA KLIEN' (an alias), last month's in a hidden
    # 'KLIEN' placed before it, and the hidden one was loaded (first match won).
    report = monthly_report()
    report.sheets["DATA KLIEN"] = report.sheets.pop("KLIEN")
    _workbook(
        lipas_home.landing_dir / "a.xlsx",
        report,
        extra=[("KLIEN", _last_month_clients(), state, 1)],
    )
    run_ingest(lipas_home)
    status, summary = query(lipas_home, "SELECT status, error_summary FROM ledger.submissions")[0]
    assert status == "accepted"
    assert "sheet 'KLIEN' tersembunyi diabaikan" in str(summary)
    registers = query(lipas_home, "SELECT no_register FROM raw.monthly_klien ORDER BY 1")
    assert [r[0] for r in registers] == ["REG-001", "REG-002", "REG-003", "REG-004"]


def test_hidden_alias_sheet_is_not_read(tmp_path: Path) -> None:
    # 'CLIENTS' is an accepted alias of KLIEN: hidden, it must lose to the visible KLIEN.
    path = _workbook(tmp_path / "a.xlsx", extra=[("CLIENTS", _last_month_clients(), "hidden", 0)])
    structure = _structure(path)
    assert structure.sheets["KLIEN"].source_name == "KLIEN"
    assert any("'CLIENTS' tersembunyi diabaikan" in n for n in structure.notes)


def test_only_hidden_klien_is_refused_with_unhide_hint(tmp_path: Path) -> None:
    report = monthly_report()
    rows = _rows(report, "KLIEN")
    del report.sheets["KLIEN"]
    path = _workbook(tmp_path / "a.xlsx", report, extra=[("KLIEN", rows, "hidden", None)])
    error = _rejection(path)
    assert error.error_code == "missing_sheet"
    assert "tersembunyi" in error.message_id and "Tampilkan (unhide)" in error.hint_id
    # The identity was readable: the rejection still names the Bapas-month.
    assert (error.kode_bapas, error.period) == ("BP3201", "2025-03")


def test_only_hidden_identitas_is_refused_with_unhide_hint(tmp_path: Path) -> None:
    report = monthly_report()
    rows = _rows(report, "IDENTITAS")
    del report.sheets["IDENTITAS"]
    path = _workbook(tmp_path / "a.xlsx", report, extra=[("IDENTITAS", rows, "veryHidden", 0)])
    error = _rejection(path)
    assert error.error_code == "missing_sheet"
    assert "tersembunyi" in error.message_id and "unhide" in error.hint_en.lower()


def test_hidden_optional_sheet_is_not_read_but_noted(tmp_path: Path) -> None:
    griya = [
        ["kapasitas", "penghuni_awal", "masuk", "keluar", "penghuni_akhir"],
        [20, 10, 2, 1, 11],
    ]
    path = _workbook(tmp_path / "a.xlsx", extra=[("GRIYA_ABHIPRAYA", griya, "hidden", None)])
    structure = _structure(path)
    assert "GRIYA_ABHIPRAYA" not in structure.sheets
    assert any("'GRIYA_ABHIPRAYA' tersembunyi diabaikan" in n for n in structure.notes)


def test_template_sheets_give_no_note(tmp_path: Path) -> None:
    # The template carries a visible PETUNJUK and a hidden KODE (dropdown lists): not data.
    path = _workbook(
        tmp_path / "a.xlsx",
        extra=[
            ("PETUNJUK", [["Laporan Bulanan"], ["Isi sheet ..."]], "visible", 0),
            ("KODE", [["bentuk_pokmas"], ["YAYASAN"]], "hidden", None),
        ],
    )
    assert _structure(path).notes == []


# --- item 3: copied, renamed and translated sheets are read on purpose or reported ----------


def _participants() -> list[list[object]]:
    report = monthly_report()
    return _rows(report, "PESERTA")


@pytest.mark.parametrize(
    ("copy_name", "source"),
    [("PESERTA (2)", "PESERTA"), ("PESERTA_2", "PESERTA"), ("PARTICIPANTS", "PESERTA")],
)
def test_two_sheets_with_data_for_one_contract_sheet_are_refused(
    tmp_path: Path, copy_name: str, source: str
) -> None:
    # Regression: the copy's participants were dropped without a word (first match won).
    path = _workbook(tmp_path / "a.xlsx", extra=[(copy_name, _participants(), "visible", None)])
    error = _rejection(path)
    assert error.error_code == "duplicate_sheet"
    assert f"'{source}' dan '{copy_name}'" in error.message_id
    assert "Gabungkan" in error.hint_id
    assert (error.kode_bapas, error.period) == ("BP3201", "2025-03")


def test_duplicate_sheet_rejection_is_in_the_ledger(lipas_home: Settings) -> None:
    _workbook(
        lipas_home.landing_dir / "a.xlsx",
        extra=[("PESERTA (2)", _participants(), "visible", None)],
    )
    run_ingest(lipas_home)
    row = query(
        lipas_home, "SELECT status, error_code, kode_bapas, periode FROM ledger.submissions"
    )
    assert row == [("rejected", "duplicate_sheet", "BP3201", "2025-03")]


def test_empty_copy_is_ignored_and_noted(tmp_path: Path) -> None:
    header_only = _participants()[:1]
    path = _workbook(tmp_path / "a.xlsx", extra=[("PESERTA (2)", header_only, "visible", 3)])
    structure = _structure(path)
    assert structure.sheets["PESERTA"].source_name == "PESERTA"
    assert len(structure.sheets["PESERTA"].cells) == 2
    assert any("'PESERTA (2)' kosong diabaikan" in n for n in structure.notes)


def test_copy_with_data_wins_over_an_emptied_original(tmp_path: Path) -> None:
    report = monthly_report()
    rows = _rows(report, "PESERTA")
    report.sheets["PESERTA"] = [dict.fromkeys(rows[0])]  # header left, rows cleared
    path = _workbook(tmp_path / "a.xlsx", report, extra=[("Peserta (2)", rows, "visible", None)])
    structure = _structure(path)
    assert structure.sheets["PESERTA"].source_name == "Peserta (2)"
    assert len(structure.sheets["PESERTA"].cells) == 2
    assert any("'PESERTA' kosong diabaikan" in n for n in structure.notes)


def test_lone_copy_is_read_and_named(tmp_path: Path) -> None:
    report = monthly_report()
    rows = _rows(report, "PESERTA")
    del report.sheets["PESERTA"]
    path = _workbook(tmp_path / "a.xlsx", report, extra=[("PESERTA (2)", rows, "visible", None)])
    structure = _structure(path)
    assert len(structure.sheets["PESERTA"].cells) == 2
    assert "sheet 'PESERTA (2)' dibaca sebagai / read as PESERTA" in structure.notes


def test_unknown_sheet_with_data_is_noted_by_position(tmp_path: Path) -> None:
    extra = [("Budi Santoso", [["catatan"], ["3201011203850001"]], "visible", None)]
    path = _workbook(tmp_path / "a.xlsx", extra=extra)
    notes = _structure(path).notes
    assert any(n.startswith("sheet ke-6 bukan sheet laporan dan berisi data") for n in notes)
    # The sheet's name is free text a clerk typed (here a person's): it is not copied.
    assert not any("Budi" in n for n in notes)


def test_csv_folder_with_a_copied_file_is_refused(tmp_path: Path) -> None:
    folder = write_csv_folder(monthly_report(), tmp_path / "laporan")
    (folder / "PESERTA (2).csv").write_bytes((folder / "PESERTA.csv").read_bytes())
    with pytest.raises(SubmissionError) as caught:
        validate_structure(open_csv_folder(folder, 10**8))
    assert caught.value.error_code == "duplicate_sheet"


# --- item 4: formulas without a stored value -------------------------------------------------


def _with_formula(report: Report, sheet: str, column: str, rows: list[int]) -> Report:
    for index in rows:
        report.sheets[sheet][index][column] = "=1+1"  # openpyxl writes <f> with an empty <v/>
    return report


def test_formula_without_value_loads_as_null_with_row_issues_naming_the_fix(
    lipas_home: Settings,
) -> None:
    report = _with_formula(monthly_report(), "KLIEN", "wajib_lapor_hadir", [0, 1, 2])
    _workbook(lipas_home.landing_dir / "a.xlsx", report)
    summary = run_ingest(lipas_home)  # regression: read as blank without a word
    assert summary.accepted == 1
    issues = query(
        lipas_home,
        "SELECT sheet, column_name, issue_code, row_number, message_id FROM ledger.row_issues "
        "ORDER BY row_number",
    )
    assert [i[:4] for i in issues] == [
        ("KLIEN", "wajib_lapor_hadir", "formula_no_value", row) for row in (2, 3, 4)
    ]
    assert "rumus tanpa nilai" in issues[0][4] and "simpan ulang" in issues[0][4]
    hadir = query(lipas_home, "SELECT wajib_lapor_hadir FROM raw.monthly_klien ORDER BY 1")
    assert [h[0] for h in hadir] == [3, None, None, None]


def test_formula_without_value_in_identitas_is_refused_by_its_cause(tmp_path: Path) -> None:
    report = _with_formula(monthly_report(), "IDENTITAS", "periode", [0])
    error = _rejection(_workbook(tmp_path / "a.xlsx", report))
    # Not 'bad_period': the clerk's period is there, only not calculated.
    assert (error.error_code, error.column, error.row) == ("formula_no_value", "periode", 2)
    assert "Excel/LibreOffice" in error.hint_id


def test_formula_without_value_in_a_key_column_is_refused(tmp_path: Path) -> None:
    report = _with_formula(monthly_report(), "KLIEN", "no_register", [3])
    error = _rejection(_workbook(tmp_path / "a.xlsx", report))
    assert (error.error_code, error.sheet, error.column, error.row) == (
        "formula_no_value",
        "KLIEN",
        "no_register",
        5,
    )


def test_calculated_formulas_are_data(tmp_path: Path) -> None:
    # Excel and LibreOffice store each formula's result: that is a value, not a gap.
    report = _with_formula(monthly_report(), "KLIEN", "wajib_lapor_hadir", [0])
    path = _workbook(tmp_path / "a.xlsx", report)
    calculated = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(calculated, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b"<v />", b"<v>2</v>").replace(b"<v/>", b"<v>2</v>"))
    book = open_xlsx(calculated)
    assert book.formula_cells == {}
    assert validate_structure(book).issues == []


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (b'<c r="B2"><f>A2+1</f><v /></c>', [(1, 1)]),
        (b'<c r="AB10"><f>A2+1</f></c>', [(9, 27)]),
        (b'<c r="C3"><f t="shared" si="0"/></c>', [(2, 2)]),
        (b'<x:c r="D4"><x:f>A1</x:f></x:c>', [(3, 3)]),
        (b'<c r="B2"><f>A2+1</f><v>3</v></c>', []),
        (b'<c r="B2" t="str"><f>IF(A2="","",1)</f><v></v></c>', []),  # calculated empty text
        (b'<c r="B2" s="1"/><c r="C2" t="s"><v>0</v></c>', []),
        (b"<c><f>A1</f></c>", [(-1, -1)]),
    ],
)
def test_formula_cells_without_value_in_sheet_xml(
    xml: bytes, expected: list[tuple[int, int]]
) -> None:
    assert formulas_without_value(b"<sheetData><row>" + xml + b"</row></sheetData>") == expected


# --- item 5: NIKs that Excel rounded ---------------------------------------------------------

# What Excel keeps of the fixture NIKs typed into number cells: 15 significant digits.
ROUNDED_NIKS = [int(n[:15] + "0") for n in NIKS]


def test_niks_typed_into_number_cells_are_held_out(lipas_home: Settings) -> None:
    # Regression: 3201011203850000 looked valid and pseudonymised to a new key every month.
    report = monthly_report()
    for row, nik in zip(report.sheets["KLIEN"], ROUNDED_NIKS, strict=True):
        row["nik"] = nik
    _workbook(lipas_home.landing_dir / "a.xlsx", report)
    assert run_ingest(lipas_home).accepted == 1
    klien = query(
        lipas_home,
        "SELECT nik_status, client_key IS NULL, nik_sex_match FROM raw.monthly_klien ORDER BY 1",
    )
    assert klien == [("ROUNDED", True, True)] * 4
    issues = query(
        lipas_home, "SELECT column_name, issue_code, value, message_id FROM ledger.row_issues"
    )
    assert [i[:3] for i in issues] == [("nik", "nik_rounded", None)] * 4
    assert "Format kolom NIK sebagai Teks, lalu ketik ulang NIK lengkap" in issues[0][3]


def test_full_numbers_from_a_program_are_kept(tmp_path: Path) -> None:
    # A program writing the whole number keeps every digit: the column is not Excel-rounded.
    write_xlsx(monthly_report(), tmp_path / "a.xlsx", Style(nik_as="number"), writer="openpyxl")
    structure = _structure(tmp_path / "a.xlsx")
    lineage = Lineage("s1", "a.xlsx", "0" * 64, dt.datetime(2025, 4, 1))
    tables, issues = build_tables(structure, lineage, DEVELOPMENT_KEY)
    assert set(tables["monthly_klien"].column("nik_status").to_pylist()) == {"VALID"}
    assert issues == []


def _flags(cells: list[object], digits: list[str | None]) -> list[bool]:
    return rounded_niks(cells, pa.array(digits, pa.string())).tolist()


def test_text_niks_mostly_ending_in_zero_are_rounded() -> None:
    # A CSV export of a number column: text, but 4 of 5 end in 0 (chance: 1 in 10 each).
    niks = ["3201011203850000", "3273015512900000", "3204020101000000", "3171046812950000"]
    niks.append("3201011203850001")
    assert _flags(list(niks), list(niks)) == [True, True, True, True, False]


def test_text_niks_ending_in_zero_by_chance_are_valid() -> None:
    niks = [f"32010112038500{i:02d}" for i in range(1, 10)] + ["3201011203850010"]
    assert _flags(list(niks), list(niks)) == [False] * 10
    few = ["3201011203850000", "3273015512900000"]  # too few to tell chance from rounding
    assert _flags(list(few), list(few)) == [False, False]


def test_scientific_notation_is_rounded_not_unreadable(tmp_path: Path) -> None:
    # Excel's CSV of a General-format number cell: '3,20101E+15' (Indonesian locale).
    report = monthly_report()
    report.sheets["KLIEN"][0]["nik"] = "3,20101E+15"
    report.sheets["KLIEN"][1]["nik"] = "3.27302E+15"
    folder = write_csv_folder(report, tmp_path / "laporan")
    structure = validate_structure(open_csv_folder(folder, 10**8))
    lineage = Lineage("s1", "laporan", "0" * 64, dt.datetime(2025, 4, 1))
    tables, issues = build_tables(structure, lineage, DEVELOPMENT_KEY)
    status = tables["monthly_klien"].column("nik_status").to_pylist()
    assert status == ["ROUNDED", "ROUNDED", "VALID", "VALID"]
    # One cause, one finding: the parse issue gives way to the one naming the cause.
    assert [(i.row_number, i.issue_code) for i in issues] == [
        (2, "nik_rounded"),
        (3, "nik_rounded"),
    ]


def test_rounded_nik_has_no_client_key() -> None:
    nik = pa.array(["3201011203850000", "3201011203850001"], pa.string())
    cols = nik_columns(nik, None, None, DEVELOPMENT_KEY, np.array([True, False]))
    assert cols["nik_status"].to_pylist() == ["ROUNDED", "VALID"]
    assert cols["client_key"].to_pylist()[0] is None
    assert cols["client_key"].to_pylist()[1] is not None


def test_template_nik_cells_are_text(tmp_path: Path) -> None:
    # The template's own guard: a NIK typed there is text, so Excel cannot round it.
    path = build_template("BP3201", "2025-03", tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    kind = load_contract().kind("monthly")
    checked = 0
    for spec in kind.sheets:
        for index, column in enumerate(spec.columns):
            if column.type == "nik" and spec.name in book.sheetnames:
                letter = openpyxl.utils.get_column_letter(index + 1)
                assert book[spec.name].column_dimensions[letter].number_format == "@"
                checked += 1
    assert checked == 1
