"""LibreOffice's own format (.ods) loads like .xlsx (issue #15 item 4).

No LibreOffice on the CI machine and no odfpy in the venv, so the .ods is written here the way
LibreOffice writes one: a zip whose first entry is the stored `mimetype`, typed cells in
`content.xml` (float / date / boolean / string, with the displayed text), and a table style with
`table:display="false"` for a hidden sheet.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from core.errors import SubmissionError
from core.settings import Settings
from ingestion.discover import discover
from ingestion.readers.ods import open_ods
from ingestion.readers.xlsx import open_xlsx
from synthetic.generate import generate
from tests.ingestion.ingest_helpers import query, run_ingest

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_STYLES = (
    "<office:automatic-styles>"
    '<style:style style:name="ta1" style:family="table">'
    '<style:table-properties table:display="true"/></style:style>'
    '<style:style style:name="ta2" style:family="table">'
    '<style:table-properties table:display="false"/></style:style>'
    "</office:automatic-styles>"
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "{extra}</manifest:manifest>"
)


def _cell(value: object) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        flag = "true" if value else "false"
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{flag}">'
            f"<text:p>{flag.upper()}</text:p></table:table-cell>"
        )
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, (dt.date, dt.datetime)):
        iso = value.isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def write_ods(
    path: Path, sheets: dict[str, list[list[object]]], hidden: set[str], manifest_extra: str = ""
) -> Path:
    """An .ods as LibreOffice saves it (see the module docstring)."""
    tables = "".join(
        f'<table:table table:name={quoteattr(name)} table:style-name="'
        f'{"ta2" if name in hidden else "ta1"}">'
        + "".join(
            "<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} '
        f'office:version="1.2">{_STYLES}<office:body><office:spreadsheet>{tables}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml", _MANIFEST.format(extra=manifest_extra), zipfile.ZIP_DEFLATED
        )
    return path


def xlsx_to_ods(xlsx: Path, out: Path) -> Path:
    """'Save as .ods' of a workbook: every sheet, typed values, hidden sheets kept hidden."""
    book = CalamineWorkbook.from_path(str(xlsx))
    hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    sheets = {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }
    return write_ods(out, sheets, hidden)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clean monthly report and annual plan of one Bapas, as .xlsx."""
    out = tmp_path_factory.mktemp("gen") / "landing"
    generate(out, "2026-01", 1, 7, bapas=1, faults="none", messy_share=0.0, workers=1)
    return out


def _xlsx_files(landing: Path) -> list[Path]:
    return sorted(landing.rglob("*.xlsx"))


def test_ods_reader_gives_the_same_rows_as_xlsx(generated: Path, tmp_path: Path) -> None:
    """Regression: an .ods was refused as an unknown format; it must read cell for cell as
    the .xlsx it was saved from, hidden sheets listed apart the same way."""
    for xlsx in _xlsx_files(generated):
        ods = xlsx_to_ods(xlsx, tmp_path / f"{xlsx.stem}.ods")
        want, got = open_xlsx(xlsx), open_ods(ods)
        assert got.file_format == "ods"
        assert got.sheet_names == want.sheet_names
        assert got.hidden_sheets == want.hidden_sheets
        for name in want.sheet_names:
            assert got.load(name) == want.load(name), f"{xlsx.name} {name}"


def test_hidden_ods_sheet_is_not_data(tmp_path: Path) -> None:
    """Hidden sheets in an .ods are listed apart, as in an .xlsx (DESIGN §9)."""
    ods = write_ods(tmp_path / "h.ods", {"KLIEN": [["a"], [1]], "RAHASIA": [["b"]]}, {"RAHASIA"})
    book = open_ods(ods)
    assert book.sheet_names == ["KLIEN"]
    assert book.hidden_sheets == ["RAHASIA"]


def test_ods_submission_is_accepted_with_the_rows_of_the_xlsx(
    lipas_home: Settings, generated: Path
) -> None:
    """Regression: discovery listed .ods as `unknown` and the ledger rejected it. Both the
    monthly report and the plan load with the same row counts the generator wrote."""
    manifest = json.loads((generated / "_manifest.json").read_text(encoding="utf-8"))
    expected_rows = manifest["counts"]["rows"] if "counts" in manifest else None
    for xlsx in _xlsx_files(generated):
        target = lipas_home.landing_dir / xlsx.relative_to(generated).with_suffix(".ods")
        target.parent.mkdir(parents=True, exist_ok=True)
        xlsx_to_ods(xlsx, target)
    assert {c.file_format for c in discover(lipas_home.landing_dir)} == {"ods"}
    summary = run_ingest(lipas_home)
    assert [f.error_code for f in summary.files] == [None, None]
    rows = query(
        lipas_home,
        "SELECT report_kind, status, file_format, row_counts FROM ledger.submissions "
        "ORDER BY report_kind",
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("annual_plan", "accepted", "ods"),
        ("monthly", "accepted", "ods"),
    ]
    if expected_rows:
        for kind, _, _, counts in rows:
            for sheet, n in json.loads(str(counts)).items():
                assert expected_rows[f"{kind}.{sheet}"] == n, (kind, sheet)


def test_ods_refusals_say_what_to_do(tmp_path: Path) -> None:
    """A password-protected .ods and a zip that is not a spreadsheet are refused in Bahasa,
    without library names; the technical cause stays in the operator-only detail."""
    locked = write_ods(
        tmp_path / "locked.ods",
        {"A": [["x"]]},
        set(),
        manifest_extra='<manifest:encryption-data manifest:checksum-type="SHA1"/>',
    )
    with pytest.raises(SubmissionError) as caught:
        open_ods(locked)
    assert caught.value.error_code == "encrypted"
    assert "LibreOffice" in caught.value.hint_id
    other = tmp_path / "other.ods"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(SubmissionError) as caught:
        open_ods(other)
    assert caught.value.error_code == "unreadable"
    assert "mimetype" in caught.value.detail and "mimetype" not in caught.value.message_id
