"""Write a report as CSV folder, zip of CSVs or LibreOffice-style .xlsx (fast xlsx: fastxlsx.py).

Every writer returns the 1-based header row of each sheet, so fault row numbers can be given
as the sender sees them. Output is byte-for-byte deterministic: fixed document timestamps and
fixed zip entry times.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.contract.model import ColumnSpec
from synthetic import style as st
from synthetic.tables import Report, Table

ZIP_TIME = (2020, 1, 1, 0, 0, 0)
LIBREOFFICE_APP = (
    "LibreOffice/7.6.4.1$Linux_X86_64 LibreOffice_project/e19e193f88cd6c0525a17fb7a176ed8e6a3e2aa1"
)

Converter = Callable[[Any], Any]


def _converter(column: ColumnSpec, style: st.Style, for_csv: bool) -> Converter | None:
    """The value conversion a column needs in this style, or None when values go as they are."""
    if column.type == "date" and (
        for_csv or style.has(st.DATES_SERIAL) or style.has(st.DATES_TEXT)
    ):
        return lambda v: st.date_value(v, style, for_csv)
    if column.type == "rupiah" and (style.has(st.RUPIAH_RP) or style.has(st.RUPIAH_DECIMAL)):
        return lambda v: st.rupiah_value(v, style)
    if column.type == "nik" and (style.has(st.NIK_NUMBER) or style.has(st.NIK_SPACES)):
        return lambda v: st.nik_value(v, style, for_csv)
    return None


def title_lines(report: Report, sheet: str) -> list[str]:
    """Title rows some senders put above the header."""
    return [
        f"LAPORAN {sheet} - {report.kode_bapas}",
        f"Periode: {report.period}",
    ]


def rendered_columns(table: Table, style: st.Style, for_csv: bool) -> list[list[Any]]:
    """Column values (written-column order) rendered per the file's style."""
    out = []
    for column in table.columns:
        values = table.data[column.name]
        convert = _converter(column, style, for_csv)
        out.append([convert(v) for v in values] if convert else values)
    return out


def rendered_rows(table: Table, style: st.Style, for_csv: bool) -> list[tuple[Any, ...]]:
    """Data rows with every value rendered per the file's style."""
    return list(zip(*rendered_columns(table, style, for_csv), strict=True))


def header(table: Table, style: st.Style) -> list[str]:
    """Header texts in written-column order."""
    return [style.column_name(table.sheet, c.name) for c in table.columns]


def write_xlsx_openpyxl(
    report: Report, path: Path, style: st.Style, created: dt.datetime
) -> dict[str, int]:
    """A workbook as LibreOffice Calc saves it (openpyxl, shared strings, other app metadata)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Bapas"
    workbook.properties.created = created
    header_rows: dict[str, int] = {}
    for sheet, table in report.tables.items():
        ws = workbook.create_sheet(style.sheet_name(sheet))
        for line in title_lines(report, sheet)[: style.title_rows]:
            ws.append([line])
        ws.append(header(table, style))
        header_rows[sheet] = style.title_rows + 1
        for row in rendered_rows(table, style, for_csv=False):
            ws.append(row)
        for _ in range(style.blank_rows):
            ws.append([""] * len(table.columns))
    workbook.save(str(path))
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    normalise_zip(
        path,
        {
            "docProps/core.xml": lambda b: re.sub(
                rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\2", b
            ),
            "docProps/app.xml": lambda b: re.sub(
                rb"<Application>[^<]*</Application>",
                b"<Application>" + LIBREOFFICE_APP.encode() + b"</Application>",
                b,
            ),
        },
    )
    return header_rows


def normalise_zip(
    path: Path, edits: dict[str, Callable[[bytes], bytes]] | None = None, level: int = 6
) -> None:
    """Rewrite a zip with fixed entry times (openpyxl stamps 'now'), applying content edits."""
    edits = edits or {}
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for name, data in entries:
            edit = edits.get(name)
            target.writestr(_zipinfo(name), edit(data) if edit else data, compresslevel=level)


def _zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def csv_bytes(table: Table, style: st.Style) -> bytes:
    """One sheet as CSV (header on line 1) in the style's encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(table, style))
    for row in rendered_rows(table, style, for_csv=True):
        writer.writerow(["" if v is None else v for v in row])
    for _ in range(style.blank_rows):
        writer.writerow([""] * len(table.columns))
    return buffer.getvalue().encode(style.encoding, errors="replace")


def csv_name(sheet: str, style: st.Style) -> str:
    """File name of a sheet's CSV."""
    return f"{style.sheet_name(sheet)}.csv"


def write_csv_folder(report: Report, folder: Path, style: st.Style) -> dict[str, int]:
    """A folder of CSV files named after the sheets."""
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, table in report.tables.items():
        (folder / csv_name(sheet, style)).write_bytes(csv_bytes(table, style))
    return dict.fromkeys(report.tables, 1)


def write_zip(report: Report, path: Path, style: st.Style) -> dict[str, int]:
    """A .zip of the CSV files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, table in report.tables.items():
            archive.writestr(_zipinfo(csv_name(sheet, style)), csv_bytes(table, style))
    return dict.fromkeys(report.tables, 1)
