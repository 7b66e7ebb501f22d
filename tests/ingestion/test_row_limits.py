"""LIPAS_MAX_ROWS_PER_SHEET: a sheet over the limit is refused `too_many_rows`, memory bounded.

Issue #11 item 7: a 42 MB zip holding a 200 MB CSV (1.5 M rows) took 3.0 GB in one process and
an 8 MB xlsx with 600 k rows 1.09 GB per worker, and both were accepted. The limit is set small
here so the files stay tiny; benchmarks/bench_memory.py measures the real sizes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import pytest

from core.errors import SubmissionError
from core.settings import (
    DEFAULT_MAX_ROWS_PER_SHEET,
    ConfigurationError,
    Settings,
    load_settings,
)
from ingestion.readers.base import SHARE_MIN_ROWS, share_repeated
from ingestion.readers.csvfiles import ZIP_UNPACK_FACTOR, open_csv_zip, parse_csv
from tests.fixtures.ingestion.builders import (
    Style,
    csv_bytes,
    monthly_report,
    write_csv_folder,
    write_xlsx,
    write_zip,
)
from tests.ingestion.ingest_helpers import query, run_ingest

LIMIT = 5


@pytest.fixture
def limited(lipas_home: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with a 5-row limit, parsing in this process."""
    monkeypatch.setenv("LIPAS_MAX_ROWS_PER_SHEET", str(LIMIT))
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    return load_settings()


def _rejections(settings: Settings) -> list[tuple[object, ...]]:
    return query(
        settings,
        "SELECT status, error_code, kode_bapas, periode, error_summary FROM ledger.submissions",
    )


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda r, d: write_zip(r, d / "a.zip"), id="zip of csv"),
        pytest.param(lambda r, d: write_csv_folder(r, d / "csv"), id="csv folder"),
        pytest.param(lambda r, d: write_xlsx(r, d / "a.xlsx"), id="xlsx"),
    ],
)
def test_sheet_over_the_limit_is_rejected(limited: Settings, write: object) -> None:
    # Regression: nothing bounded the rows of a sheet; 1.5 M rows were parsed (3 GB) and loaded.
    write(monthly_report(n_clients=LIMIT + 1), limited.landing_dir)  # type: ignore[operator]
    summary = run_ingest(limited)
    assert summary.rejected == 1
    ((status, code, bapas, period, text),) = _rejections(limited)
    assert (status, code) == ("rejected", "too_many_rows")
    # The identity was read first, so the rejection still names the Bapas-month.
    assert (bapas, period) == ("BP3201", "2025-03")
    assert "KLIEN" in str(text) and "6 baris data" in str(text) and "batas 5 baris" in str(text)


def test_sheet_at_the_limit_with_title_and_blank_rows_is_accepted(limited: Settings) -> None:
    # The limit counts data rows only: title rows, the header and blank rows are not data.
    style = Style(header_row=3, trailing_blank_rows=40)
    write_xlsx(monthly_report(n_clients=LIMIT), limited.landing_dir / "a.xlsx", style)
    write_zip(monthly_report("BP3501", n_clients=LIMIT), limited.landing_dir / "b.zip", style)
    summary = run_ingest(limited)
    assert (summary.accepted, summary.rejected) == (2, 0)


def test_limit_crosses_into_the_parse_workers(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit travels in the parse job: a forkserver started earlier in this process keeps
    # the environment it was started with.
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "2")
    settings = dataclasses.replace(lipas_home, max_rows_per_sheet=LIMIT)
    write_zip(monthly_report(n_clients=LIMIT + 1), settings.landing_dir / "a.zip")
    write_zip(monthly_report("BP3501", n_clients=LIMIT), settings.landing_dir / "b.zip")
    summary = run_ingest(settings)
    assert sorted(str(f.error_code) for f in summary.files) == ["None", "too_many_rows"]


def test_csv_reading_stops_at_the_limit_and_counts_the_rest() -> None:
    grid = [["no_register"]] + [[f"REG-{i}"] for i in range(1000)]
    with pytest.raises(SubmissionError) as caught:
        parse_csv(csv_bytes(grid), "KLIEN", max_rows=10)
    error = caught.value
    assert error.error_code == "too_many_rows"
    assert "1.000 baris data" in error.message_id and "batas 10 baris" in error.message_id
    assert "hubungi Ditjenpas" in error.hint_id


def test_blank_rows_keep_row_numbers() -> None:
    data = b"a,b\n1,2\n,\n  ,\n3,4\n,\n,\n"
    rows = parse_csv(data, "S", max_rows=2)
    assert rows == [["a", "b"], ["1", "2"], [], [], ["3", "4"]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, DEFAULT_MAX_ROWS_PER_SHEET, id="default"),
        pytest.param("50_000", 50_000, id="underscores"),
        pytest.param("0", None, id="zero"),
        pytest.param("lots", None, id="words"),
    ],
)
def test_setting(value: str | None, expected: int | None) -> None:
    env = {} if value is None else {"LIPAS_MAX_ROWS_PER_SHEET": value}
    if expected is None:
        with pytest.raises(ConfigurationError, match="LIPAS_MAX_ROWS_PER_SHEET"):
            load_settings(env)
    else:
        assert load_settings(env).max_rows_per_sheet == expected


def test_encodings_still_detected_when_streaming() -> None:
    text = "no_register;nama\nREG-1;Dédé\n"
    for data in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("utf-16"),
        text.encode("cp1252"),
    ):
        assert parse_csv(data, "S") == [["no_register", "nama"], ["REG-1", "Dédé"]]


def test_repeated_cells_share_one_object() -> None:
    # Regression (memory): every cell of a long sheet was its own object, so 'AKTIF' or a date
    # repeated 200,000 times cost 200,000 objects (the xlsx at the limit peaked near 1.5 GB).
    day = dt.datetime(2025, 3, 1)
    rows: list[list[object]] = [
        ["".join(["AKT", "IF"]), day.replace(), float(i)] for i in range(SHARE_MIN_ROWS)
    ]
    assert rows[0][0] is not rows[1][0]
    share_repeated(rows)
    assert rows[0][0] is rows[-1][0] and rows[0][1] is rows[-1][1]
    assert rows[5][2] == 5.0
    csv_rows = parse_csv(b"a,b\n" + b"".join(b"%d,AKTIF\n" % i for i in range(3)), "S")
    assert csv_rows[1][1] is csv_rows[3][1]


def test_csv_zip_unpacking_past_twice_the_file_limit_is_too_large(tmp_path: Path) -> None:
    # Long unique texts fill a 44 MB zip up to 210 MB of CSV, which took the run to 1.9 GB; the
    # same CSVs as a folder would have been refused at 1x the limit.
    path = write_zip(monthly_report(), tmp_path / "a.zip")
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    with pytest.raises(SubmissionError) as caught:
        open_csv_zip(path, max_file_bytes=unpacked // ZIP_UNPACK_FACTOR - 1)
    assert caught.value.error_code == "too_large"
    assert "setelah diekstrak" in caught.value.message_id
    assert open_csv_zip(path, max_file_bytes=unpacked).load("KLIEN")[0][0] == "no_register"
