"""Read generated submissions back into typed rows, tolerating every messy variation.

A compact reference reader for the generator's own tests and for sanity checks; the
production parser is `ingestion/readers/`. It maps headers and sheet names through the
contract's aliases, finds a header row below title rows, and parses dates, Rupiah and NIK in
all the forms the generator writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from core.contract.model import ReportKindSpec, SheetSpec, load_contract, normalise_name

Row = dict[str, Any]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def read_submission(path: Path, kind: str = "monthly") -> dict[str, list[Row]]:
    """Sheet name -> rows (dict per row, canonical column names, parsed values, `_row`)."""
    spec = load_contract().kind(kind)
    raw: dict[str, list[list[Any]]] = {}
    if path.is_dir():
        for child in sorted(path.glob("*.csv")):
            raw[child.stem] = _csv_rows(child.read_bytes())
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                raw[Path(name).stem] = _csv_rows(archive.read(name))
    else:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            raw[name] = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    out: dict[str, list[Row]] = {}
    for name, rows in raw.items():
        sheet = _match_sheet(spec, name)
        if sheet is not None:
            out[sheet.name] = _typed(sheet, rows)
    return out


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _match_sheet(spec: ReportKindSpec, name: str) -> SheetSpec | None:
    key = normalise_name(name)
    return next((s for s in spec.sheets if key in s.accepted_names()), None)


def _header(sheet: SheetSpec, rows: list[list[Any]]) -> tuple[int, list[Any]]:
    """Index of the header row (title rows may sit above it) and its column specs."""
    lookup = {alias: col for col in sheet.columns for alias in col.accepted_names()}
    for index, header in enumerate(rows[:6]):
        names = [lookup.get(normalise_name(v)) if v not in (None, "") else None for v in header]
        if sum(n is not None for n in names) >= max(1, len(sheet.columns) // 2):
            return index, names
    raise ValueError(f"{sheet.name}: no header row found")


def _typed(sheet: SheetSpec, rows: list[list[Any]]) -> list[Row]:
    h, names = _header(sheet, rows)
    out = []
    for offset, values in enumerate(rows[h + 1 :], start=h + 2):
        if all(v in (None, "") for v in values):
            continue
        row: Row = {"_row": offset}
        for col, value in zip(names, values, strict=False):
            if col is not None:
                row[col.name] = parse_value(col.type, value)
        out.append(row)
    return out


def parse_value(kind: str, value: Any) -> Any:
    """One cell to a Python value per contract column type (None for empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "date":
        return _date(value)
    if kind == "nik":
        if isinstance(value, float):
            return str(int(value))
        return re.sub(r"\s+", "", str(value))
    if kind in ("integer", "year"):
        return int(float(value))
    if kind == "decimal":
        return float(str(value).replace(",", "."))
    if kind == "rupiah":
        if isinstance(value, int | float):
            return float(value)
        text = str(value).replace("Rp", "").strip()
        text = text.split(",")[0].replace(".", "") if "," in text else text.replace(".", "")
        return float(text)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    if re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", text):
        day, month, year = (int(p) for p in text.split("/"))
        return dt.date(year, month, day)
    if text.isdigit():
        return EXCEL_EPOCH + dt.timedelta(days=int(text))
    return dt.date.fromisoformat(text[:10])
