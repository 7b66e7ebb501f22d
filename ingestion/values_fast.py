"""Fast paths for the common case: a column holding one Python type (plus empty cells).

Spreadsheets written from a template give exactly that (all text, all numbers or all dates), and
pyarrow compute handles such columns in microseconds. Anything mixed or unusual returns None and
goes through the general parsers in `values.py`, which define the behaviour; the fast paths must
give identical results (tests run both).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EXCEL_EPOCH_DAYS = -25569  # 1899-12-30 as days since 1970-01-01
SERIAL_MIN, SERIAL_MAX = 1.0, 109574.0
_NUMBERS = frozenset({float, int})
_TRUE = ["Y", "YA", "YES", "1", "TRUE", "BENAR", "1.0"]
_FALSE = ["N", "TIDAK", "NO", "0", "FALSE", "SALAH", "0.0"]

FastResult = tuple[pa.Array, np.ndarray] | None
# Python's \s (what the general parsers use) spelled out for RE2, whose \s is ASCII-only.
PY_SPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}"
)
_BLANK = f"^[{PY_SPACE}]*$"
_TEXT_OR_NONE = frozenset({str, type(None)})
_ONLY_TEXT = frozenset({str})
# Already-canonical cells (issue 16): a template's cells need none of the Arrow rewrites below,
# whose regexes are compiled on every call (~0.1 ms each, 40 columns a file). A cell passes only
# when every rewrite is a no-op on it under any whitespace/case rules (printable ASCII edges,
# no lower case, ...); one cell that does not pass sends the column down the Arrow path.
_EDGE_SAFE = frozenset(chr(c) for c in range(0x21, 0x7F))
_CANON_CODE = re.compile(r"[\x21-\x2c\x2e-\x60\x7b-\x7e]+")  # printable, no a-z or '-'
_CANON_PERIOD = re.compile(r"2[01][0-9][0-9]-(0[1-9]|1[0-2])")
_YN = dict.fromkeys(_TRUE, True) | dict.fromkeys(_FALSE, False)


def _plain(text: str) -> bool:
    """Non-empty, and its first and last characters are printable ASCII (nothing to trim)."""
    return bool(text) and text[0] in _EDGE_SAFE and text[-1] in _EDGE_SAFE


def _canon_code(text: str) -> bool:
    return _CANON_CODE.fullmatch(text) is not None and text[0] != "_" and text[-1] != "_"


def _canon_period(text: str) -> bool:
    return _CANON_PERIOD.fullmatch(text) is not None


def _canon_codes(text: str) -> bool:
    return (
        _canon_code(text)
        and "," not in text
        and ";;" not in text
        and text[0] != ";"
        and text[-1] != ";"
    )


def _text_cells(raw: pd.Series) -> list[Any] | None:
    """The cells when all are text or empty (None/NaN as None), else None."""
    values: list[Any] = raw.tolist()
    present = set(map(type, values))
    if present <= _TEXT_OR_NONE:
        return values
    if present <= {str, float, type(None)} and all(v != v for v in values if v.__class__ is float):
        return [None if v.__class__ is float else v for v in values]
    return None


def _unchanged(values: list[Any], canonical: Callable[[str], bool]) -> pa.Array | None:
    """The cells as text when every distinct one is None, '' or `canonical`, else None.

    '' (calamine's empty cell) becomes null, as every text-like parser makes it.
    """
    distinct = set(values) - {None}
    if not all(v == "" or canonical(v) for v in distinct):
        return None
    if "" in distinct:
        values = [None if v == "" else v for v in values]
    return pa.array(values, pa.string())


def _clean(raw: pd.Series) -> tuple[list[Any], frozenset[type]]:
    """Cells with '', whitespace-only text or NaN as None, and the set of remaining types.

    A column of text (and empty) cells is returned as is, blank strings included: the blank
    check is left to `_strings`, which does it in Arrow instead of per cell in Python.
    """
    values = raw.tolist()
    present = set(map(type, values))
    if present <= _TEXT_OR_NONE:
        if str not in present or pc.all(pc.match_substring_regex(_as_text(values), _BLANK)).as_py():
            return [None] * len(values), frozenset()
        return values, _ONLY_TEXT
    values = [
        None if (v.__class__ is str and not v.strip()) or (v.__class__ is float and v != v) else v
        for v in values
    ]
    return values, frozenset(map(type, values)) - {type(None)}


def _as_text(values: list[Any]) -> pa.Array:
    return pa.array(values, pa.string())


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _no_bad(n: int) -> np.ndarray:
    return np.zeros(n, bool)


def _strings(values: list[Any]) -> pa.Array:
    """Trimmed text; blank (whitespace-only, by Python's definition) cells become null."""
    text = _as_text(values)
    blank = pc.match_substring_regex(text, _BLANK)
    return pc.utf8_trim_whitespace(pc.if_else(blank, pa.scalar(None, pa.string()), text))


def _floats(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype="float64")


def fast_text(raw: pd.Series) -> FastResult:
    """All text."""
    cells = _text_cells(raw)
    if cells is not None and (same := _unchanged(cells, _plain)) is not None:
        return same, _no_bad(len(cells))
    values, types = _clean(raw)
    if not types <= {str}:
        return None
    return _strings(values), _no_bad(len(values))


def fast_code(raw: pd.Series) -> FastResult:
    """All text codes: upper, spaces/hyphens to '_'."""
    cells = _text_cells(raw)
    if cells is not None and (same := _unchanged(cells, _canon_code)) is not None:
        return same, _no_bad(len(cells))
    values, types = _clean(raw)
    if not types <= {str}:
        return None
    text = pc.utf8_upper(_strings(values))
    text = pc.utf8_trim(pc.replace_substring_regex(text, f"[{PY_SPACE}\\-]+", "_"), "_")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), _no_bad(len(values))


def fast_codes(raw: pd.Series) -> FastResult:
    """All text ';'-lists of codes, normalised like `values.parse_codes`."""
    cells = _text_cells(raw)
    if cells is not None and (same := _unchanged(cells, _canon_codes)) is not None:
        return same, _no_bad(len(cells))
    values, types = _clean(raw)
    if not types <= {str}:
        return None
    text = pc.utf8_upper(_strings(values))
    text = pc.replace_substring_regex(text, f"[{PY_SPACE}]*[;,][{PY_SPACE}]*", ";")
    text = pc.utf8_trim(pc.replace_substring_regex(text, f"[{PY_SPACE}\\-]+", "_"), "_")
    text = pc.utf8_trim(pc.replace_substring_regex(text, ";+", ";"), ";")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), _no_bad(len(values))


def fast_period(raw: pd.Series) -> FastResult:
    """All text already in the canonical 'YYYY-MM' form."""
    cells = _text_cells(raw)
    if cells is not None and (same := _unchanged(cells, _canon_period)) is not None:
        return same, _no_bad(len(cells))
    values, types = _clean(raw)
    if not types <= {str}:
        return None
    text = _strings(values)
    ok = pc.match_substring_regex(text, r"^2[01]\d\d-(0[1-9]|1[0-2])$")
    if not pc.all(pc.or_(ok, pc.is_null(text))).as_py():
        return None
    return text, _no_bad(len(values))


def _numbers(raw: pd.Series) -> tuple[np.ndarray, int] | None:
    values, types = _clean(raw)
    if not types <= _NUMBERS:
        return None
    floats = _floats(values)
    if np.isinf(floats).any():
        return None
    return floats, len(values)


def fast_integer(raw: pd.Series) -> FastResult:
    """All numbers: integral and within range, else the general path decides."""
    found = _numbers(raw)
    if found is None:
        return None
    floats, n = found
    finite = ~np.isnan(floats)
    if (floats[finite] != np.floor(floats[finite])).any() or (np.abs(floats[finite]) > 9e15).any():
        return None
    ints = pa.array(np.where(finite, floats, 0).astype("int64"), mask=~finite, type=pa.int64())
    return ints, _no_bad(n)


def fast_decimal(raw: pd.Series) -> FastResult:
    """All numbers as float64."""
    found = _numbers(raw)
    if found is None:
        return None
    floats, n = found
    return pa.array(floats, from_pandas=True, type=pa.float64()), _no_bad(n)


def fast_rupiah(raw: pd.Series) -> FastResult:
    """All numbers as DECIMAL(18,2)."""
    found = _numbers(raw)
    if found is None:
        return None
    floats, n = found
    if (np.abs(floats[~np.isnan(floats)]) >= 1e16).any():
        return None
    rounded = pa.array(np.round(floats, 2), from_pandas=True)
    return rounded.cast(pa.decimal128(18, 2)), _no_bad(n)


def fast_date(raw: pd.Series) -> FastResult:
    """All datetimes, all dates, or all Excel serial numbers."""
    values, types = _clean(raw)
    n = len(values)
    if types <= {dt.datetime}:
        stamps = pa.array(values, pa.timestamp("us"))
        return pc.cast(pc.floor_temporal(stamps, unit="day"), pa.date32()), _no_bad(n)
    if types <= {dt.date}:
        return pa.array(values, pa.date32()), _no_bad(n)
    if types <= _NUMBERS:
        floats = _floats(values)
        finite = ~np.isnan(floats)
        if ((floats[finite] < SERIAL_MIN) | (floats[finite] > SERIAL_MAX)).any():
            return None
        days = np.where(finite, np.floor(np.where(finite, floats, 0)) + EXCEL_EPOCH_DAYS, 0)
        return pa.array(days.astype("int32"), mask=~finite, type=pa.date32()), _no_bad(n)
    return None


def fast_yn(raw: pd.Series) -> FastResult:
    """All text Y/N spellings (anything unknown goes to the general path)."""
    cells = _text_cells(raw)
    if cells is not None:
        distinct = set(cells) - {None, ""}
        if all(_plain(v) and v.isascii() and v.upper() in _YN for v in distinct):
            answer: dict[object, bool | None] = {v: _YN[v.upper()] for v in distinct}
            answer[""] = None
            flags = [None if v is None else answer[v] for v in cells]
            return pa.array(flags, pa.bool_()), _no_bad(len(cells))
    values, types = _clean(raw)
    if not types <= {str}:
        return None
    text = pc.utf8_upper(_strings(values))
    is_true = pc.is_in(text, pa.array(_TRUE))
    is_false = pc.is_in(text, pa.array(_FALSE))
    known = pc.or_(pc.or_(is_true, is_false), pc.is_null(text))
    if not pc.all(known).as_py():
        return None
    return pc.if_else(is_true, True, pc.if_else(is_false, False, None)), _no_bad(len(values))


def fast_nik(raw: pd.Series) -> FastResult:
    """All plain digit text (spaces/dots/dashes removed) or all whole numbers."""
    cells = _text_cells(raw)
    if cells is not None and (same := _unchanged(cells, _ascii_digits)) is not None:
        return same, _no_bad(len(cells))
    values, types = _clean(raw)
    n = len(values)
    if types <= {str}:
        text = pc.replace_substring_regex(_strings(values), f"[{PY_SPACE}.\\-']", "")
        # [0-9], not \d: Arrow's \d also matches other scripts' digits (see parse_nik).
        ascii_digits = pc.match_substring_regex(text, "^[0-9]+$")
        if not pc.all(pc.or_(ascii_digits, pc.is_null(text))).as_py():
            return None
        return text, _no_bad(n)
    if types <= {int} or types <= {float}:
        floats = _floats(values)
        finite = ~np.isnan(floats)
        whole = floats[finite]
        if (whole != np.floor(whole)).any() or (whole < 0).any() or (whole >= 1e18).any():
            return None
        digits = [None if v is None else str(int(v)) for v in values]
        return pa.array(digits, pa.string()), _no_bad(n)
    return None


FAST_PARSERS: dict[str, Callable[[pd.Series], FastResult]] = {
    "text": fast_text,
    "code": fast_code,
    "codes": fast_codes,
    "period": fast_period,
    "integer": fast_integer,
    "rupiah": fast_rupiah,
    "decimal": fast_decimal,
    "date": fast_date,
    "nik": fast_nik,
    "yn": fast_yn,
}
