"""The Excel template (`lipas template`): structure, validations, pre-fill, errors, determinism."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import typer
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from cli import app as app_module
from core.contract import template as template_module
from core.contract.model import ColumnSpec, load_contract
from core.contract.template import (
    DEFAULT_VALIDATED_ROWS,
    INSTRUCTION_SHEET,
    KODE_SHEET,
    REFERENCES,
    VALIDATED_ROWS,
    YN_CODE_LIST,
    TemplateError,
    build_template,
)
from core.reference import codes_of

pytestmark = pytest.mark.xdist_group("template")


@pytest.fixture(scope="module")
def monthly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # BP3501 has run a Griya Abhipraya since 2022-12, so every monthly sheet is present.
    return build_template("BP3501", "2025-03", tmp_path_factory.mktemp("tpl") / "m.xlsx")


@pytest.fixture(scope="module")
def annual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template("BP3501", 2025, tmp_path_factory.mktemp("tpl") / "a.xlsx")


@pytest.fixture(scope="module")
def books(monthly: Path, annual: Path) -> dict[str, openpyxl.Workbook]:
    return {
        "monthly": openpyxl.load_workbook(monthly),
        "annual_plan": openpyxl.load_workbook(annual),
    }


def _validations(ws: Worksheet) -> dict[str, object]:
    """Validation per column letter (each validation in the template covers one column)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            out[re.sub(r"\d", "", cell_range.coord.split(":")[0])] = dv
    return out


def _kode_values(book: openpyxl.Workbook, formula: str) -> list[str]:
    match = re.fullmatch(rf"{KODE_SHEET}!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    ws = book[KODE_SHEET]
    rows = ws[f"{match.group(1)}{match.group(2)}:{match.group(3)}{match.group(4)}"]
    return [row[0].value for row in rows]


@pytest.mark.parametrize("kind", ["monthly", "annual_plan"])
def test_sheets_and_headers_follow_contract(books: dict[str, openpyxl.Workbook], kind: str) -> None:
    book = books[kind]
    spec = load_contract().kind(kind)
    assert book.sheetnames == [INSTRUCTION_SHEET, *(s.name for s in spec.sheets), KODE_SHEET]
    assert book[KODE_SHEET].sheet_state == "hidden"
    for sheet in spec.sheets:
        ws = book[sheet.name]
        # Row 1: the Bahasa labels people read; row 2: the machine header the parser reads.
        assert [cell.value for cell in ws[1]] == [c.label_id for c in sheet.columns]
        assert [cell.value for cell in ws[2]] == [c.name for c in sheet.columns]
        assert all(cell.font.b for cell in ws[1])
        assert ws.freeze_panes == "A3"
        for cell, column in zip(ws[1], sheet.columns, strict=True):
            assert cell.comment is not None
            assert column.description_id in cell.comment.text
            assert column.name in cell.comment.text


@pytest.mark.parametrize("kind", ["monthly", "annual_plan"])
def test_every_typed_column_has_its_validation(
    books: dict[str, openpyxl.Workbook], kind: str
) -> None:
    book = books[kind]
    for sheet in load_contract().kind(kind).sheets:
        ws = book[sheet.name]
        found = _validations(ws)
        last = 3 if sheet.single_row else VALIDATED_ROWS.get(sheet.name, DEFAULT_VALIDATED_ROWS) + 2
        for idx, column in enumerate(sheet.columns, start=1):
            letter = openpyxl.utils.get_column_letter(idx)
            dv = found.get(letter)
            where = f"{sheet.name}.{column.name}"
            referenced = REFERENCES.get((sheet.name, column.name))
            if referenced is not None:
                _check_reference(book, dv, *referenced, where)
            else:
                _check_validation(book, column, dv, where)
            if dv is not None:
                assert str(dv.sqref) in (f"{letter}3:{letter}{last}", f"{letter}3"), column.name


def _check_reference(book: openpyxl.Workbook, dv: object, sheet: str, key: str, where: str) -> None:
    """A dropdown over every validated data row of the referenced sheet's key column."""
    spec = next(
        s for k in load_contract().report_kinds.values() for s in k.sheets if s.name == sheet
    )
    letter = openpyxl.utils.get_column_letter([c.name for c in spec.columns].index(key) + 1)
    last = VALIDATED_ROWS.get(sheet, DEFAULT_VALIDATED_ROWS) + 2
    assert dv is not None and dv.type == "list", where
    assert dv.formula1 == f"{sheet}!${letter}$3:${letter}${last}", where
    assert book[sheet][f"{letter}2"].value == key, where
    # A warning: a clerk may fill KEGIATAN before POKMAS; a stop would block typing.
    assert dv.errorStyle == "warning" and sheet in dv.error, where


def _check_validation(book: openpyxl.Workbook, column: ColumnSpec, dv: object, where: str) -> None:
    if column.type in ("code", "yn"):
        assert dv is not None and dv.type == "list", where
        expected = codes_of(column.code_list or YN_CODE_LIST)
        assert _kode_values(book, dv.formula1) == list(expected), where
    elif column.type in ("integer", "year"):
        assert dv is not None and dv.type == "whole", where
        if column.min is not None:
            assert float(dv.formula1) == column.min, where
        if column.max is not None:
            assert float(dv.formula2) == column.max, where
    elif column.type in ("decimal", "rupiah"):
        assert dv is not None and dv.type == "decimal", where
        assert float(dv.formula1) == (column.min if column.min is not None else -1e15), where
    elif column.type == "date":
        assert dv is not None and dv.type == "date", where
    elif column.type == "codes":
        assert dv is not None and dv.prompt and ";" in dv.prompt, where
    elif column.type == "nik":
        assert dv is not None and dv.type == "textLength" and dv.formula1 == "16", where
    else:
        assert dv is None, where


def test_column_number_formats(books: dict[str, openpyxl.Workbook]) -> None:
    ws = books["monthly"]["KLIEN"]
    # Text format keeps a NIK's or register number's leading zeros when typed.
    assert ws.column_dimensions["A"].number_format == "@"
    assert ws.column_dimensions["B"].number_format == "@"
    assert ws.column_dimensions["E"].number_format == "dd/mm/yyyy"
    kegiatan = books["monthly"]["KEGIATAN"]
    assert "Rp" in kegiatan.column_dimensions["I"].number_format


def test_identitas_prefilled(books: dict[str, openpyxl.Workbook]) -> None:
    monthly = books["monthly"]["IDENTITAS"]
    assert [c.value for c in monthly[3]] == ["BP3501", "2025-03", None, None, 1]
    assert monthly["C3"].number_format == "dd/mm/yyyy"
    annual = books["annual_plan"]["IDENTITAS"]
    assert [c.value for c in annual[3]] == ["BP3501", 2025, None, None, 1]


def test_readable_by_calamine(monthly: Path, annual: Path) -> None:
    book = python_calamine.CalamineWorkbook.from_path(str(monthly))
    assert book.get_sheet_by_name("IDENTITAS").to_python()[2][:2] == ["BP3501", "2025-03"]
    plan = python_calamine.CalamineWorkbook.from_path(str(annual))
    assert plan.get_sheet_by_name("SASARAN").to_python()[1] == [
        "kebutuhan",
        "target_klien",
        "target_kegiatan",
    ]


def test_instructions_name_the_deadline(books: dict[str, openpyxl.Workbook]) -> None:
    monthly = "\n".join(str(c.value) for c in books["monthly"][INSTRUCTION_SHEET]["A"] if c.value)
    assert "10 April 2025" in monthly
    assert "versi" in monthly and "NIK" in monthly
    annual = "\n".join(
        str(c.value) for c in books["annual_plan"][INSTRUCTION_SHEET]["A"] if c.value
    )
    assert "31 Januari 2025" in annual


@pytest.mark.parametrize(
    ("kode", "period", "has_griya"),
    [
        pytest.param("BP3501", "2025-03", True, id="runs a house"),
        pytest.param("BP1102", "2025-03", False, id="no house"),
        pytest.param("BP1101", "2023-11", False, id="month before the house opened"),
        pytest.param("BP1101", "2023-12", True, id="month the house opened"),
    ],
)
def test_griya_sheet_only_when_office_runs_one(
    tmp_path: Path, kode: str, period: str, has_griya: bool
) -> None:
    book = openpyxl.load_workbook(build_template(kode, period, tmp_path / "t.xlsx"))
    assert ("GRIYA_ABHIPRAYA" in book.sheetnames) is has_griya


def test_output_is_deterministic(tmp_path: Path, monthly: Path) -> None:
    again = build_template("bp3501 ", "2025-03", tmp_path / "again.xlsx")
    assert again.read_bytes() == monthly.read_bytes()


@pytest.mark.parametrize(
    ("kode", "period", "out", "needle"),
    [
        pytest.param("BP0000", "2025-03", "t.xlsx", "unknown Bapas code", id="unknown bapas"),
        pytest.param("BP2102", "2024-03", "t.xlsx", "not active in 2024-03", id="not yet open"),
        pytest.param("BP3501", "2025-13", "t.xlsx", "2025-13", id="month 13"),
        pytest.param("BP3501", "2025/03", "t.xlsx", "YYYY-MM", id="slash period"),
        pytest.param("BP3501", "25", "t.xlsx", "YYYY", id="short year"),
        pytest.param("BP3501", "0000", "t.xlsx", "outside 2000-2100", id="year zero"),
        pytest.param("BP3501", "9999-12", "t.xlsx", "outside 2000-2100", id="far future month"),
        pytest.param("BP3501", "2025-03", "t.xls", ".xlsx", id="wrong suffix"),
    ],
)
def test_build_template_refuses(
    tmp_path: Path, kode: str, period: str, out: str, needle: str
) -> None:
    with pytest.raises(TemplateError, match=re.escape(needle)) as info:
        build_template(kode, period, tmp_path / out)
    assert isinstance(info.value, ValueError)
    assert not (tmp_path / out).exists()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The real `lipas` app; other engineers' command modules may not exist yet in the tree."""
    try:
        return app_module.build_app()
    except ModuleNotFoundError as exc:
        if exc.name == "cli.template_cmd":
            raise
        monkeypatch.setattr(app_module, "COMMAND_MODULES", ("cli.template_cmd",))
        return app_module.build_app()


def _flat(text: str) -> str:
    # rich wraps long lines in a narrow non-terminal console.
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(["--bapas", "BP0000", "--period", "2025-03"], "BP0000", id="unknown bapas"),
        pytest.param(["--bapas", "BP2102", "--period", "2024-03"], "not active", id="inactive"),
        pytest.param(["--bapas", "BP3501", "--period", "2025-13"], "2025-13", id="bad month"),
        pytest.param(["--bapas", "BP3501", "--period", "2025"], "YYYY-MM", id="year as period"),
        pytest.param(["--bapas", "BP3501", "--year", "2025-03"], "four-digit", id="month as year"),
        pytest.param(["--bapas", "BP3501", "--year", "20x5"], "20x5", id="bad year"),
        pytest.param(
            ["--bapas", "BP3501", "--period", "2025-03", "--year", "2025"], "exactly one", id="both"
        ),
        pytest.param(["--bapas", "BP3501"], "exactly one", id="neither"),
    ],
)
def test_cli_errors_exit_2(cli: typer.Typer, tmp_path: Path, args: list[str], needle: str) -> None:
    result = CliRunner().invoke(cli, ["template", *args, "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2, result.output
    assert needle in _flat(result.stderr)
    assert not (tmp_path / "t.xlsx").exists()


def test_cli_writes_template(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "BP3501_2025.xlsx"
    result = CliRunner().invoke(
        cli, ["template", "--bapas", "BP3501", "--year", "2025", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out)["IDENTITAS"]["B3"].value == 2025


def test_cli_contract_docs_check(cli: typer.Typer, tmp_path: Path) -> None:
    stale = tmp_path / "contract.md"
    stale.write_text("old", encoding="utf-8")
    result = CliRunner().invoke(cli, ["contract-docs", "--check", "--out", str(stale)])
    assert result.exit_code == 1
    assert "out of date" in _flat(result.stderr)
    assert CliRunner().invoke(cli, ["contract-docs", "--out", str(stale)]).exit_code == 0
    assert CliRunner().invoke(cli, ["contract-docs", "--check", "--out", str(stale)]).exit_code == 0


def test_failed_build_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A half-written workbook would look like a valid template to an operator.
    def explode(self: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(template_module._Writer, "write", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        build_template("BP3501", "2025-03", tmp_path / "t.xlsx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("period", "kind", "filled_sheet"),
    [
        pytest.param("2025-03", "monthly", "KLIEN", id="monthly"),
        pytest.param("2025", "annual_plan", "SASARAN", id="annual plan"),
    ],
)
def test_filled_template_passes_ingestion_structure(
    tmp_path: Path, period: str, kind: str, filled_sheet: str
) -> None:
    # The template and the ingestion validator are built from the same contract; this proves
    # they agree (PETUNJUK and KODE are ignored, IDENTITAS pre-fill is read back).
    from ingestion.readers.xlsx import open_xlsx
    from ingestion.validate import validate_structure

    path = build_template("BP3501", period, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    book["IDENTITAS"]["C3"] = dt.date(2025, 4, 5)
    columns = load_contract().kind(kind).sheet(filled_sheet).columns
    book[filled_sheet].append([_sample(c) for c in columns])
    book.save(path)
    structure = validate_structure(open_xlsx(path))
    identity = (structure.kind.kind, structure.kode_bapas, structure.period)
    assert identity == (kind, "BP3501", period)
    table = structure.sheets[filled_sheet]
    assert len(table.cells) == 1
    # The label row above is skipped: the machine header is row 2, the first data row 3.
    assert table.header_row == 2 and list(table.row_numbers) == [3]
    assert not structure.notes


def _sample(column: ColumnSpec) -> object:
    """A plausible value of the column's type, codes taken from the reference seeds."""
    if column.code_list:
        return codes_of(column.code_list)[0]
    samples: dict[str, object] = {"date": dt.date(2025, 3, 1), "yn": "N", "nik": "3501010101900001"}
    return samples.get(column.type, 1 if column.type in ("integer", "rupiah", "decimal") else "A1")
