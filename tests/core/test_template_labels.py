"""Bahasa labels above the machine header, and the parser around them (issue #15 item 3).

The template prints a label row ("No. register") above the machine header (`no_register`).
Labels are accepted header names too, so the parser must pick the machine row when both are
there, read old templates without the label row, and read a sheet whose machine row was deleted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from core.contract.model import SheetSpec, load_contract, normalise_name
from core.contract.template import build_template
from core.reference import codes_of
from ingestion.readers.xlsx import open_xlsx
from ingestion.sheets import find_header, has_data_rows
from ingestion.validate import validate_structure

pytestmark = pytest.mark.xdist_group("template")

SHEETS = [
    pytest.param(s, id=f"{k.kind}.{s.name}")
    for k in load_contract().report_kinds.values()
    for s in k.sheets
]


@pytest.mark.parametrize("sheet", SHEETS)
def test_every_column_has_a_short_label_unlike_its_machine_name(sheet: SheetSpec) -> None:
    for column in sheet.columns:
        label = column.label_id
        assert label.strip() == label and 2 <= len(label) <= 25, column.name
        # Exactly the machine name would make the two header rows indistinguishable.
        assert label != column.name, column.name
        assert "_" not in label, f"{column.name}: a label is for people, not `{label}`"
    normalised = [normalise_name(c.label_id) for c in sheet.columns]
    assert len(set(normalised)) == len(normalised), sheet.name


def _lookup(sheet: SheetSpec) -> dict[str, str]:
    return {n: c.name for c in sheet.columns for n in c.accepted_names()}


@pytest.mark.parametrize("sheet", SHEETS)
def test_find_header_prefers_the_machine_row_below_the_labels(sheet: SheetSpec) -> None:
    labels = [c.label_id for c in sheet.columns]
    names = [c.name for c in sheet.columns]
    data = ["x"] * len(names)
    assert find_header([labels, names, data], _lookup(sheet)) == (1, len(names))
    # An old template (machine row only) and a sheet whose machine row was deleted.
    assert find_header([names, data], _lookup(sheet)) == (0, len(names))
    assert find_header([["Laporan"], labels, data], _lookup(sheet)) == (1, len(names))


def test_an_empty_template_sheet_has_no_data_rows() -> None:
    """Regression guard: with labels accepted as names, the machine row under the label row
    must not count as data, or an empty copy of a template sheet rivals the real one."""
    sheet = load_contract().kind("monthly").sheet("PESERTA")
    labels = [c.label_id for c in sheet.columns]
    names = [c.name for c in sheet.columns]
    assert not has_data_rows([labels, names], sheet)
    assert not has_data_rows([labels, names, [None, "", "  "]], sheet)
    assert has_data_rows([labels, names, ["K01", "R1", "Y", "N", None]], sheet)


def _filled(path: Path, drop_row: int | None) -> Path:
    """The monthly template with one KLIEN row, optionally without row `drop_row` everywhere."""
    book = openpyxl.load_workbook(path)
    book["IDENTITAS"]["C3"] = dt.date(2025, 4, 5)
    spec = load_contract().kind("monthly").sheet("KLIEN")
    samples = {"date": dt.date(1990, 1, 1), "yn": "N", "nik": "3501010101900001", "integer": 2}
    book["KLIEN"].append(
        [
            codes_of(c.code_list)[0] if c.code_list else samples.get(c.type, "R-0001")
            for c in spec.columns
        ]
    )
    if drop_row is not None:
        for name in [s.name for s in load_contract().kind("monthly").sheets]:
            if name in book.sheetnames:
                book[name].delete_rows(drop_row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("drop_row", "header_row"),
    [
        pytest.param(None, 2, id="label and machine rows"),
        pytest.param(1, 1, id="old template: machine row only"),
        pytest.param(2, 1, id="machine row deleted: labels only"),
    ],
)
def test_template_reads_with_or_without_label_row(
    tmp_path: Path, drop_row: int | None, header_row: int
) -> None:
    path = _filled(build_template("BP3501", "2025-03", tmp_path / "t.xlsx"), drop_row)
    structure = validate_structure(open_xlsx(path))
    assert (structure.kode_bapas, structure.period) == ("BP3501", "2025-03")
    klien = structure.sheets["KLIEN"]
    assert klien.header_row == header_row
    assert list(klien.row_numbers) == [header_row + 1]
    assert klien.cells.iloc[0]["no_register"] == "R-0001"
    assert list(klien.cells.columns) == [c.name for c in klien.spec.columns]
    assert not klien.ignored_columns
    # Empty template sheets (POKMAS, KEGIATAN, ...) are read as empty, not as a row of names.
    assert len(structure.sheets["PESERTA"].cells) == 0
    assert not structure.notes
