"""Fuzzing: mutated workbooks and CSVs never crash ingestion and never get lost."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.settings import load_settings
from ingestion.pipeline import ingest_landing
from tests.fixtures.ingestion.builders import (
    Style,
    monthly_report,
    write_csv_folder,
    write_xlsx,
    write_zip,
)

COLUMNS = ("no_register", "nik", "tanggal_lahir", "jenis_kelamin", "biaya_rp", "periode",
           "kode_bapas", "tanggal", "hadir", "wajib_lapor_hadir")  # fmt: skip
SHEETS = ("IDENTITAS", "KLIEN", "POKMAS", "KEGIATAN", "PESERTA")
cell_values = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)),
    st.booleans(),
)


@st.composite
def mutated_report(draw: st.DrawFn) -> tuple[object, Style]:
    report = monthly_report()
    for _ in range(draw(st.integers(0, 6))):
        sheet = draw(st.sampled_from(SHEETS))
        rows = report.sheets[sheet]
        row = rows[draw(st.integers(0, len(rows) - 1))]
        row[draw(st.sampled_from(sorted(row)))] = draw(cell_values)
    renames = draw(st.dictionaries(st.sampled_from(COLUMNS), st.text(max_size=12), max_size=3))
    style = Style(
        header_row=draw(st.integers(0, 3)),
        column_names=renames,
        sheet_names=draw(st.dictionaries(st.sampled_from(SHEETS), st.text(min_size=1, max_size=10,
                         alphabet=st.characters(whitelist_categories=("L", "N"))), max_size=2)),
        drop_columns=tuple(draw(st.lists(st.sampled_from(COLUMNS), max_size=2))),
        dates_as=draw(st.sampled_from(("date", "serial", "text_dmy", "text_iso"))),
        nik_as=draw(st.sampled_from(("text", "number", "spaced"))),
    )  # fmt: skip
    written = [style.sheet_names.get(name, name).lower() for name in SHEETS]
    assume(len(set(written)) == len(written))  # a workbook cannot hold two same-named sheets
    return report, style


def _bytes_mutation(data: bytes, draw: st.DrawFn) -> bytes:
    # Positions are drawn as fractions: file lengths vary run to run (writer timestamps), and
    # hypothesis needs the same draws for the same example.
    kind = draw(st.sampled_from(("flip", "truncate", "none")))
    fractions = st.floats(min_value=0, max_value=1, exclude_max=True)
    if kind == "truncate" and data:
        return data[: int(draw(fractions) * len(data))]
    if kind == "flip" and data:
        buf = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            buf[int(draw(fractions) * len(buf))] ^= draw(st.integers(1, 255))
        return bytes(buf)
    return data


def _check_ledger(home: Path, items: int) -> None:
    with duckdb.connect(str(home / "warehouse" / "lipas.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT status, archived_path FROM ledger.submissions").fetchall()
    assert len(rows) == items
    for status, archived in rows:
        assert status in ("accepted", "rejected")
        assert Path(str(archived)).exists()


@pytest.mark.slow
@settings(
    max_examples=20, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(data=st.data(), fmt=st.sampled_from(("xlsx", "csv", "zip")))
def test_mutated_input_is_archived_and_ledgered(
    data: st.DataObject, fmt: str, caplog: pytest.LogCaptureFixture
) -> None:
    report, style = data.draw(mutated_report())
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {"LIPAS_HOME": str(home), "LIPAS_ENV": "dev", "LIPAS_PSEUDONYM_KEY": "k" * 40}
        config = load_settings(env)
        config.ensure_dirs()
        landing = config.landing_dir
        if fmt == "xlsx":
            path = write_xlsx(report, landing / "a.xlsx", style)  # type: ignore[arg-type]
        elif fmt == "zip":
            path = write_zip(report, landing / "a.zip", style)  # type: ignore[arg-type]
        else:
            folder = write_csv_folder(report, landing / "csv", style)  # type: ignore[arg-type]
            path = sorted(folder.iterdir())[0]
        path.write_bytes(_bytes_mutation(path.read_bytes(), data.draw))
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="ingestion"):
            summary = ingest_landing(config)
        # A CSV folder whose IDENTITAS file was renamed is no folder any more: each CSV is then
        # its own unknown_format item. Either way every item is accounted for.
        items = len(summary.files)
        assert items == 1 or fmt == "csv", summary
        assert summary.accepted + summary.rejected == items, summary
        assert not [r for r in caplog.records if "unexpected error" in r.getMessage()]
        assert not any(landing.iterdir())
        _check_ledger(home, items)
