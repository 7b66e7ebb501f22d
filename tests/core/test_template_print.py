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
        assert ws.print_title_rows in ("1:1", "$1:$1"), sheet.name


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


def test_header_row_still_where_the_parser_reads_it(tmp_path: Path) -> None:
    """Print setup changes nothing in what the parser reads: header on row 1, data from row 2."""
    path = build_template("BP3501", "2025-03", tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(path)["KLIEN"]
    names = [c.name for c in load_contract().kind("monthly").sheet("KLIEN").columns]
    assert [c.value for c in ws[1]][: len(names)] == names
