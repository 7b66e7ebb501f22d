"""The speed-ups in the parse step give exactly what the simple forms they replaced gave."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from ingestion.pseudonymise import client_key, client_keys
from ingestion.validate import _has_data
from ingestion.values import GENERAL_PARSERS


def test_batched_client_keys_equal_one_by_one() -> None:
    rng = random.Random(5)
    niks: list[str | None] = [None, "", "1", "3201011203850001", "9" * 30]
    niks += [str(rng.randrange(10**15, 10**16)) for _ in range(300)]
    for key in (b"k" * 32, b"x" * 100):  # a key longer than SHA-256's block is hashed first
        assert client_keys(key, niks) == [client_key(key, n) if n else None for n in niks]
    assert client_keys(b"k" * 32, []) == []
    assert client_keys(b"k" * 32, [None, ""]) == [None, None]


@pytest.mark.parametrize(
    ("row", "positions", "expected"),
    [
        pytest.param(["x", "", None], [0, 1, 2], True, id="first cell filled"),
        pytest.param(["", None, " \u3000"], [0, 1, 2], False, id="blank cells only"),
        pytest.param([float("nan"), "", 0], [0, 1, 2], True, id="zero is a value"),
        pytest.param(["", "name"], [0], False, id="only contract columns count"),
        pytest.param(["", ""], [0, 5], False, id="ragged csv row shorter than the header"),
        pytest.param([False], [0], True, id="false is a value"),
    ],
)
def test_blank_row_detection(row: list[object], positions: list[int], expected: bool) -> None:
    assert _has_data(row, positions) is expected


@pytest.mark.parametrize(
    "text", ["2025-03", "2000-01", "2199-12", "2025-13", "1999-12", "2025-00", "2200-01"]
)
def test_plain_period_shortcut_matches_the_period_parser(text: str) -> None:
    from core.contract.model import load_contract
    from ingestion.validate import _read_period

    expected = GENERAL_PARSERS["period"](pd.Series([text], dtype=object)).values.to_pylist()[0]
    assert (
        _read_period(load_contract().kind("monthly"), pd.Series([text], dtype=object)) == expected
    )
