"""File output shared by the worker: format choice, writing, mtimes, sender row numbers."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np

from synthetic import badfiles
from synthetic import style as st
from synthetic.fastxlsx import write_xlsx
from synthetic.style import CLEAN, Style
from synthetic.tables import Report
from synthetic.writers import (
    LIBREOFFICE_APP,
    write_csv_folder,
    write_xlsx_openpyxl,
    write_zip,
)

FORMAT_SHARES = (("xlsx", 0.75), ("csv_folder", 0.15), ("zip", 0.10))
# openpyxl is ~30x slower than fastxlsx: big "LibreOffice-saved" workbooks keep the fast
# writer and only take LibreOffice's app metadata.
OPENPYXL_MAX_ROWS = 2_000
XLSX_ONLY_FAULTS = ("truncated_xlsx", "malformed_sheet_xml")


def choose_format(rng: np.random.Generator) -> str:
    """Xlsx most of the time, sometimes a CSV folder or a zip of CSVs."""
    draw, total = rng.random(), 0.0
    for fmt, share in FORMAT_SHARES:
        total += share
        if draw < total:
            return fmt
    return FORMAT_SHARES[0][0]


def write_report(
    report: Report, stem: Path, fmt: str, style: Style, created: dt.datetime
) -> tuple[Path, dict[str, int]]:
    """Write in the chosen format; return the path and each sheet's header row."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        path = stem.with_name(stem.name + ".xlsx")
        if not style.has(st.LIBREOFFICE):
            return path, write_xlsx(report, path, style, created)
        if sum(len(t) for t in report.tables.values()) <= OPENPYXL_MAX_ROWS:
            return path, write_xlsx_openpyxl(report, path, style, created)
        return path, write_xlsx(report, path, style, created, application=LIBREOFFICE_APP)
    if fmt == "zip":
        path = stem.with_name(stem.name + ".zip")
        return path, write_zip(report, path, style)
    return stem, write_csv_folder(report, stem, style)


def set_received(path: Path, received: dt.datetime) -> None:
    """File mtime = simulated arrival (a folder and every file in it)."""
    stamp = received.timestamp()
    if path.is_dir():
        for child in sorted(path.iterdir()):
            os.utime(child, (stamp, stamp))
    os.utime(path, (stamp, stamp))


def sender_rows(headers: dict[str, int], sheet: str | None, indices: tuple[int, ...]) -> list[int]:
    """Data indexes -> row numbers as the sender sees them (header row + 1 + index)."""
    if sheet is None or sheet not in headers:
        return []
    return [headers[sheet] + 1 + i for i in indices]


def format_of(path: Path) -> str:
    """Format label of a written submission path."""
    if path.suffix == ".zip":
        return "zip"
    return "xlsx" if path.suffix == ".xlsx" else "csv_folder"


def write_rejected(
    fault: str,
    report: Report,
    stem: Path,
    fmt: str,
    style: Style,
    created: dt.datetime,
    rng: np.random.Generator,
) -> tuple[Path, str | None, str | None, list[int]]:
    """Write a file the ingestion must refuse; return (path, sheet, column, sender rows)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    if fault in XLSX_ONLY_FAULTS:
        path, _ = write_report(report, stem, "xlsx", CLEAN, created)
        if fault == "truncated_xlsx":
            badfiles.truncate(path)
            return path, None, None, []
        badfiles.break_sheet_xml(path)
        return path, "KLIEN", None, []
    if fault == "encrypted_workbook":
        path = stem.with_name(stem.name + ".xlsx")
        badfiles.fake_encrypted(path, rng)
        return path, None, None, []
    if fault == "zip_bomb":
        path = stem.with_name(stem.name + ".zip")
        badfiles.zip_bomb(path, report)
        return path, None, None, []
    sheet, column, indices = badfiles.apply_contract_fault(report, fault)
    path, headers = write_report(report, stem, fmt, style, created)
    return path, sheet, column, sender_rows(headers, sheet, indices)
