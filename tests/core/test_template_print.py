"""The template prints and reads naturally (issue #15 item 3, print setup and messages)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from core.contract.model import load_contract
from core.contract.template import INSTRUCTION_SHEET, build_template


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = build_template("BP3501", "2025-03", tmp_path_factory.mktemp("tpl") / "m.xlsx")
    return openpyxl.load_workbook(path)


def test_data_sheets_print_a4_landscape_one_page_wide(book: openpyxl.Workbook) -> None:
    """Regression: LibreOffice printed 18 pages, the data sheets 3-4 columns per page."""
    for sheet in load_contract().kind("monthly").sheets:
        if sheet.name not in book.sheetnames:
            continue
        ws = book[sheet.name]
        assert ws.page_setup.orientation == "landscape", sheet.name
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), sheet.name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, sheet.name
        # OOXML omits fitToWidth when it is the default 1.
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        # Both header rows, the Bahasa labels and the machine names, repeat on every page.
        assert ws.print_title_rows in ("1:2", "$1:$2"), sheet.name


def test_instructions_fit_the_page_width(book: openpyxl.Workbook) -> None:
    """Regression: the PETUNJUK text was cut at the right edge of the printed page."""
    ws = book[INSTRUCTION_SHEET]
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)


def test_validation_messages_name_no_technical_limits(book: openpyxl.Workbook) -> None:
    """Regression: messages said "antara 1 dan 2147483647" or "antara 0.0 dan
    1000000000000000.0" (the cell type's limits, not the contract's)."""
    messages = [
        str(dv.error)
        for ws in book.worksheets
        for dv in ws.data_validations.dataValidation
        if dv.error
    ]
    assert messages
    for message in messages:
        for bad in ("2147483647", "2147483648", "1000000000000000", ".0 ", ".0."):
            assert bad not in message, message


def test_header_rows_label_above_machine_names(tmp_path: Path) -> None:
    """Row 1 holds the Bahasa labels a clerk reads, row 2 the machine names the parser reads."""
    path = build_template("BP3501", "2025-03", tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(path)["KLIEN"]
    columns = load_contract().kind("monthly").sheet("KLIEN").columns
    assert [c.value for c in ws[1]] == [c.label_id for c in columns]
    assert [c.value for c in ws[2]] == [c.name for c in columns]


def test_instruction_lines_wrap_and_get_room(book: openpyxl.Workbook) -> None:
    """Regression: LibreOffice cut PETUNJUK at the right edge and the code list overprinted
    itself. Every line carries the wrap format (a column format alone does not wrap a cell) and
    a line too long for the column gets a row tall enough for its wrapped lines."""
    ws = book[INSTRUCTION_SHEET]
    assert ws.page_setup.orientation == "landscape"
    width = ws.column_dimensions["A"].width
    long_lines = 0
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if not cell.value:
            continue
        assert cell.alignment.wrap_text, cell.coordinate
        if len(cell.value) > width:
            long_lines += 1
            height = ws.row_dimensions[cell.row].height
            assert height is not None and height >= 30, (cell.coordinate, height)
    assert long_lines >= 5  # the code lists at least
