"""The issue-16 speed-ups give exactly what the forms they replaced gave."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.pseudonymise import _nik_columns_loop, nik_columns


def _random_nik(rng: random.Random) -> str | None:
    province = rng.choice(["32", "11", "99", "00", "35"])
    day = rng.choice([1, 12, 31, 32, 41, 52, 71, 72, 0, 99])
    month = rng.choice([1, 6, 12, 0, 13])
    nik = f"{province}0101{day:02d}{month:02d}{rng.randrange(100):02d}{rng.randrange(10**4):04d}"
    return rng.choice(
        [nik, nik, nik, nik[:14], nik + "1", "", None, nik[:15] + "0", "3" * 16 + "9"]
    )


@pytest.mark.parametrize("seed", range(6))
def test_column_wise_nik_facts_equal_the_loop(seed: int) -> None:
    rng = random.Random(seed)
    n = 400
    niks = [_random_nik(rng) for _ in range(n)]
    sexes = [rng.choice(["L", "P", None, "X"]) for _ in range(n)]
    born = [
        rng.choice([None, dt.date(1985, 3, 12), dt.date(1990, 1, 1), dt.date(2003, 12, 31)])
        for _ in range(n)
    ]
    rounded = np.array([rng.random() < 0.05 for _ in range(n)])
    args = (pa.array(niks, pa.string()), pa.array(sexes), pa.array(born, pa.date32()))
    key = b"k" * 32
    for flags in (None, rounded):
        fast = nik_columns(*args, key, flags)
        slow = _nik_columns_loop([x or "" for x in niks], *args[1:], key, flags)
        assert {k: v.to_pylist() for k, v in fast.items()} == {
            k: v.to_pylist() for k, v in slow.items()
        }


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("320101120x850001", id="a letter in the birth month"),
    ],
)
def test_unusual_nik_text_takes_the_loop(nik: str) -> None:
    args = (pa.array([nik, "3201011203850001"]), pa.array(["L", "L"]), None)
    fast = nik_columns(*args, b"k" * 32)
    slow = _nik_columns_loop([nik, "3201011203850001"], *args[1:], b"k" * 32, None)
    assert fast["nik_status"].to_pylist() == slow["nik_status"].to_pylist() == ["BAD_DATE", "VALID"]


def test_missing_sex_and_birthdate_columns_give_nulls() -> None:
    cols = nik_columns(pa.array(["3201011203850001", None]), None, None, b"k" * 32)
    assert cols["nik_sex_match"].to_pylist() == [None, None]
    assert cols["nik_birthdate_match"].to_pylist() == [None, None]
    assert cols["nik_status"].to_pylist() == ["VALID", "MISSING"]


def test_parquet_written_in_a_batch_reads_back_and_leaves_no_temp_files(tmp_path: Path) -> None:
    from ingestion.load import ParquetBatch

    tables = {
        tmp_path / "a" / "s1.parquet": pa.table({"x": [1, 2, 3]}),
        tmp_path / "b" / "s1.parquet": pa.table({"y": ["p", None]}),
    }
    with ParquetBatch() as batch:
        for path, table in tables.items():
            batch.write(table, path)
        assert not any(path.exists() for path in tables)  # renamed only once synced
    for path, table in tables.items():
        assert pq.read_table(path).equals(table)
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("kind", "cells"),
    [
        ("text", ["BP1502/2022/00021", "", None, "Dinas Sosial", "a  b", "é x", "x\u3000"]),
        ("text", ["BP1502/2022/00021", "", None, "W15.PAS.02-01/PKS/2022"]),
        ("code", ["AKTIF", "", None, "HUKUM_KEMASYARAKATAN", "W15.PAS", "A1"]),
        ("code", ["AKTIF", "_X", "X_", "aktif", "A-B", "A B", "ß"]),
        ("codes", ["KERJA;MODAL_USAHA", "", None, "A_;_B", "KERJA"]),
        ("codes", ["KERJA;", ";KERJA", "A;;B", "A,B", "A_;B_", "kerja"]),
        ("yn", ["Y", "N", "", None, "ya", "Tidak", "1", "0.0"]),
        ("yn", ["Y", " N", "x"]),
        ("period", ["2025-03", "", None, "2199-12"]),
        ("period", ["2025-03", "2025-13", "1999-01"]),
        ("nik", ["3201011203850001", "", None, "123"]),
        ("nik", ["3201011203850001", "3201 0112", "\u0663\u0663"]),
    ],
)
def test_canonical_shortcut_matches_general_parser(kind: str, cells: list[object]) -> None:
    import pandas as pd

    from ingestion.values import GENERAL_PARSERS
    from ingestion.values_fast import FAST_PARSERS

    raw = pd.Series(cells, dtype=object)
    fast = FAST_PARSERS[kind](raw)
    if fast is None:  # not a single-type column: the general parser decides, nothing to compare
        return
    general = GENERAL_PARSERS[kind](raw)
    assert fast[0].to_pylist() == general.values.to_pylist()
    assert fast[1].tolist() == general.bad.tolist()


def test_parquet_batch_that_fails_leaves_neither_final_nor_temp_files(tmp_path: Path) -> None:
    from ingestion.load import ParquetBatch

    target = tmp_path / "a" / "s1.parquet"
    with pytest.raises(RuntimeError, match="sheet 2 failed"), ParquetBatch() as batch:
        batch.write(pa.table({"x": [1]}), target)
        raise RuntimeError("sheet 2 failed")
    assert not target.exists()
    assert not list(tmp_path.rglob("*.tmp"))
