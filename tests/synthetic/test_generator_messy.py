"""Every messy-but-valid variation reads back to exactly the clean values."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from core.reference import bapas_by_code
from synthetic import style as st
from synthetic.dates import run_months
from synthetic.jobs import BapasJob, make_context
from synthetic.messy import CSV_VARIATIONS, XLSX_VARIATIONS, style_for
from synthetic.monthly import build_month
from synthetic.output import write_report
from synthetic.population import simulate_population
from synthetic.readback import read_submission
from synthetic.streams import rng_for
from synthetic.style import CLEAN

CREATED = dt.datetime(2025, 2, 3, 9, 0)


@pytest.fixture(scope="module")
def report():
    bapas = bapas_by_code()["BP3501"]  # runs a Griya: all six sheets
    months = run_months("2025-01", 1)
    pop = simulate_population(bapas, months, seed=5, scale=0.02)
    job = BapasJob(bapas, months, [0], [2025], 5, Path("."), pop, [], 0.0)
    return build_month(make_context(job), months[0], dt.date(2025, 2, 3))


def _content(path: Path) -> list[bytes]:
    if path.is_dir():
        return [p.read_bytes() for p in sorted(path.iterdir())]
    return [path.read_bytes()]


def _cases():
    for v in XLSX_VARIATIONS:
        yield pytest.param("xlsx", v, id=f"xlsx-{v}")
    for v in CSV_VARIATIONS:
        yield pytest.param("csv_folder", v, id=f"csv-{v}")
        yield pytest.param("zip", v, id=f"zip-{v}")


@pytest.mark.parametrize(("fmt", "variation"), list(_cases()))
def test_variation_reads_back_to_clean_values(report, tmp_path: Path, fmt, variation) -> None:
    clean_path, clean_headers = write_report(report, tmp_path / "clean" / "r", fmt, CLEAN, CREATED)
    style = style_for(rng_for(1, variation), [variation], "monthly")
    messy_path, headers = write_report(report, tmp_path / "messy" / "r", fmt, style, CREATED)
    assert _content(clean_path) != _content(messy_path), "the variation changed nothing"
    clean, messy = read_submission(clean_path), read_submission(messy_path)
    assert set(messy) == set(clean) == set(report.tables)
    for sheet, rows in clean.items():
        offset = headers[sheet] - clean_headers[sheet]
        assert [{**r, "_row": r["_row"] + offset} for r in rows] == messy[sheet], sheet
    if variation == st.TITLE_ROWS:
        assert min(headers.values()) > 1
    if variation == st.CSV_CP1252 and fmt == "csv_folder":
        raw = (messy_path / "POKMAS.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
    if variation == st.CSV_BOM and fmt == "zip":
        with zipfile.ZipFile(messy_path) as archive:
            assert archive.read(archive.namelist()[0]).startswith(b"\xef\xbb\xbf")
    if variation == st.LIBREOFFICE:
        with zipfile.ZipFile(messy_path) as archive:
            assert b"LibreOffice" in archive.read("docProps/app.xml")


def test_big_libreoffice_workbook_keeps_fast_writer(report, tmp_path: Path, monkeypatch) -> None:
    from synthetic import output

    monkeypatch.setattr(output, "OPENPYXL_MAX_ROWS", 0)
    style = style_for(rng_for(1, "lo"), [st.LIBREOFFICE], "monthly")
    path, _ = write_report(report, tmp_path / "big", "xlsx", style, CREATED)
    clean_path, _ = write_report(report, tmp_path / "clean", "xlsx", CLEAN, CREATED)
    with zipfile.ZipFile(path) as archive:
        assert b"LibreOffice" in archive.read("docProps/app.xml")
        assert b"inlineStr" in archive.read("xl/worksheets/sheet2.xml")
    assert read_submission(path) == read_submission(clean_path)
