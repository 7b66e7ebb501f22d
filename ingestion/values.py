"""Vectorised value parsers, one per contract column type, forgiving of what real senders type.

Every parser takes the raw cells of one column (a pandas object Series of whatever the reader
produced: str, float, int, bool, datetime, date or None) and returns a typed Arrow array plus a
mask of cells that were filled in but could not be parsed (those become NULL and a row issue).
Work is done column-wise with pandas string methods so a national year parses in seconds.
"""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from ingestion.values_fast import FAST_PARSERS

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
# Excel serials outside this window are almost surely not dates (1 = 1900-01-01, 109574 = 2199).
SERIAL_MIN, SERIAL_MAX = 1.0, 109574.0
RUPIAH_TYPE = pa.decimal128(18, 2)

# 'd/m/yyyy', 'dd-mm-yy', 'd.m.yyyy' with an optional time part (order decided in `_dates`).
DAY_MONTH_YEAR = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[ T].*)?$"

_TRUE = ("Y", "YA", "YES", "1", "TRUE", "BENAR", "1.0")
_FALSE = ("N", "TIDAK", "NO", "0", "FALSE", "SALAH", "0.0")


@dataclass(frozen=True)
class Parsed:
    """Result of parsing one column: typed values and the cells that failed to parse."""

    values: pa.Array
    bad: np.ndarray  # bool mask: filled in but unparsable


_NUMBER_TYPES = frozenset({float, int, np.float64, np.int64})
_TEMPORAL_TYPES = frozenset({dt.datetime, dt.date, pd.Timestamp})
_TYPE_CODES = {t: 2 for t in _NUMBER_TYPES} | {t: 3 for t in _TEMPORAL_TYPES} | {str: 1}


def _kinds(raw: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks (is_number, is_text, is_temporal) by Python type of each cell."""
    values = raw.to_numpy(dtype=object)
    n = len(values)
    present = set(map(type, values))
    # Fast path: most columns hold one type (plus empties), so no per-cell masks are needed.
    if present <= {str, type(None)}:
        return np.zeros(n, bool), np.ones(n, bool), np.zeros(n, bool)
    if present <= _NUMBER_TYPES:
        return np.ones(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    codes = np.fromiter((_TYPE_CODES.get(type(v), 0) for v in values), np.int8, n)
    return codes == 2, codes == 1, codes == 3


def _text(raw: pd.Series, is_num: np.ndarray | None = None) -> pd.Series:
    """Every cell as stripped text ('' for empty); integral floats lose their '.0'."""
    if is_num is None:
        is_num, _, _ = _kinds(raw)
    out = raw
    if is_num.any():
        out = raw.copy()
        nums = pd.to_numeric(raw[is_num], errors="coerce").astype(float)
        integral = np.isfinite(nums) & (nums == np.floor(nums)) & (nums.abs() < 1e18)
        out.loc[nums.index[integral.to_numpy()]] = nums[integral].astype("int64").astype(str)
        out.loc[nums.index[(~np.isfinite(nums)).to_numpy()]] = None
        # Python ints are exact: through float64 a 17-digit int lost its last digit, while the
        # fast path (str(int)) kept it (hypothesis found 9007199254740993).
        exact = raw[is_num].map(lambda v: v.__class__ is int)
        if exact.any():
            out.loc[exact.index[exact.to_numpy()]] = raw[is_num][exact].map(str)
    return out.astype("str").str.strip().fillna("")


def _strings(text: pd.Series) -> Parsed:
    values = pa.array(text.where(text != "", None), type=pa.string())
    return Parsed(values, np.zeros(len(text), bool))


def blank_mask(raw: pd.Series) -> np.ndarray:
    """True where a cell is empty (None, NaN or only whitespace)."""
    mask: np.ndarray = (_text(raw) == "").to_numpy()
    return mask


def parse_text(raw: pd.Series) -> Parsed:
    """Free text: trimmed; empty becomes NULL."""
    return _strings(_text(raw))


def _normalise_code(text: pd.Series) -> pd.Series:
    return text.str.upper().str.replace(r"[\s\-]+", "_", regex=True).str.strip("_")


def parse_code(raw: pd.Series) -> Parsed:
    """One code: upper-cased, spaces/hyphens to '_'. Unknown codes are kept for quality checks."""
    return _strings(_normalise_code(_text(raw)))


def parse_codes(raw: pd.Series) -> Parsed:
    """';'-separated codes (',' tolerated), each normalised, joined with ';'."""
    text = _text(raw).str.upper().str.replace(r"\s*[;,]\s*", ";", regex=True)
    text = _normalise_code(text).str.replace(r";+", ";", regex=True).str.strip(";")
    return _strings(text)


def _numbers(raw: pd.Series, *, decimal_hint: str) -> tuple[pd.Series, np.ndarray]:
    """Float values and bad mask; text may use '.' thousands and ',' decimals (Indonesian)."""
    is_num, _, _ = _kinds(raw)
    text = _text(raw, is_num)
    blank = (text == "").to_numpy()
    values = pd.Series(np.nan, index=raw.index, dtype="float64")
    if is_num.any():
        values[is_num] = pd.to_numeric(raw[is_num], errors="coerce").astype(float)
    todo = ~is_num & ~blank
    if todo.any():
        t = text[todo].str.upper().str.replace(r"^(RP|IDR)\.?", "", regex=True)
        t = t.str.replace(r"[\s']", "", regex=True).str.replace(r",-$", "", regex=True)
        has_dot, has_comma = t.str.contains(".", regex=False), t.str.contains(",", regex=False)
        last_comma = t.str.rfind(",") > t.str.rfind(".")
        dot_thousands = t.str.fullmatch(r"-?\d{1,3}(\.\d{3})+")
        comma_thousands = t.str.fullmatch(r"-?\d{1,3}(,\d{3})+")
        both = has_dot & has_comma
        # Which separator is the decimal one: the last of the two when both appear; otherwise
        # a lone '.' group of three digits is thousands for counts and money, decimal for hours.
        comma_dec = (both & last_comma) | (~both & has_comma & ~comma_thousands)
        if decimal_hint == "decimal":
            comma_dec = (both & last_comma) | (~both & has_comma)
        drop_dots = comma_dec | (~has_comma & dot_thousands & (decimal_hint != "decimal"))
        t = t.where(~drop_dots, t.str.replace(".", "", regex=False))
        t = t.where(~comma_dec, t.str.replace(",", ".", regex=False))
        t = t.where(comma_dec, t.str.replace(",", "", regex=False))
        values[todo] = pd.to_numeric(t, errors="coerce").astype(float)
    bad = (~blank & ~np.isfinite(values.to_numpy())) | (~blank & ~is_num & ~todo)
    return values, bad


def parse_integer(raw: pd.Series) -> Parsed:
    """Whole numbers: '1.234' (thousands dots) and Excel floats like 3.0 accepted; 2.5 is bad."""
    values, bad = _numbers(raw, decimal_hint="integer")
    fractional = np.isfinite(values) & (values != np.floor(values))
    bad = bad | fractional.to_numpy() | (values.abs() > 9e15).fillna(False).to_numpy()
    ints = values.where(~bad).round()
    return Parsed(pa.array(ints.astype("Int64"), type=pa.int64()), bad)


def parse_rupiah(raw: pd.Series) -> Parsed:
    """Rupiah amounts: 'Rp 1.500.000', '1.500.000,00', '1,500,000' or a number."""
    values, bad = _numbers(raw, decimal_hint="rupiah")
    bad = bad | (values.abs() >= 1e16).fillna(False).to_numpy()
    clean = values.where(~bad).round(2)
    return Parsed(pa.array(clean, from_pandas=True).cast(RUPIAH_TYPE), bad)


def parse_decimal(raw: pd.Series) -> Parsed:
    """Decimal numbers: '2,5' or 2.5."""
    values, bad = _numbers(raw, decimal_hint="decimal")
    return Parsed(pa.array(values.where(~bad), from_pandas=True, type=pa.float64()), bad)


def day_month_parts(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(first part, second part, four-digit year) of 'a/b/yyyy'-like text, NaN elsewhere.

    Two-digit years use the window Excel and LibreOffice apply when a year is typed that way:
    00-29 = 2000-2029, 30-99 = 1930-1999 (an en-US export writes '6/13/26').
    """
    parts = text.str.extract(DAY_MONTH_YEAR)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    year = pd.to_numeric(parts[2], errors="coerce")
    short = (parts[2].str.len() == 2).to_numpy()
    year = year.where(~short, year + np.where(year < 30, 2000, 1900))
    return first, second, year


def column_date_order(only_dmy: np.ndarray, only_mdy: np.ndarray) -> str | None:
    """The order a column's unambiguous cells settle: 'mdy', 'dmy' (also on a tie) or None."""
    if only_mdy.sum() > only_dmy.sum():
        return "mdy"
    return "dmy" if only_dmy.any() else None


def _dates(raw: pd.Series, order: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """datetime64[D]-like Series (NaT for empty/bad) and the bad mask.

    Day-month-year text is never silently swapped: a cell whose parts can only be read one way
    is read that way, and `order` ('dmy' or 'mdy') decides only the cells that could be either;
    None takes the column's own evidence, and dd/mm (the Indonesian order) when it has none.
    """
    is_num, is_text, is_temporal = _kinds(raw)
    text = _text(raw, is_num)
    blank = (text == "").to_numpy()
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    if is_temporal.any():
        out[is_temporal] = pd.to_datetime(raw[is_temporal], errors="coerce").dt.floor("D")
    if is_num.any():
        serial = pd.to_numeric(raw[is_num], errors="coerce").astype(float)
        ok = (serial >= SERIAL_MIN) & (serial <= SERIAL_MAX)
        days = np.floor(serial.where(ok)).to_numpy()
        stamps = EXCEL_EPOCH + pd.to_timedelta(days, unit="D").to_numpy()
        out[is_num] = pd.Series(stamps, index=serial.index).where(ok)
    todo = is_text & ~blank
    if todo.any():
        t = text[todo]
        iso = t.str.extract(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
        first, second, year = day_month_parts(t)
        only_dmy, only_mdy = (first > 12) & (second <= 12), (second > 12) & (first <= 12)
        if order is None:
            order = column_date_order(only_dmy.to_numpy(), only_mdy.to_numpy()) or "dmy"
        month_first = only_mdy | (~only_dmy & (order == "mdy"))
        parts = pd.DataFrame(
            {
                "year": pd.to_numeric(iso[0]).fillna(year),
                "month": pd.to_numeric(iso[1]).fillna(first.where(month_first, second)),
                "day": pd.to_numeric(iso[2]).fillna(second.where(month_first, first)),
            }
        ).astype("float64")
        parsed = pd.to_datetime(parts, errors="coerce")
        # A serial number typed into a text cell (or a CSV) is still an Excel date.
        serial = pd.to_numeric(t.where(parsed.isna()), errors="coerce")
        serial_ok = serial.between(SERIAL_MIN, SERIAL_MAX)
        from_serial = pd.Series(
            EXCEL_EPOCH + pd.to_timedelta(np.floor(serial.where(serial_ok)), unit="D").to_numpy(),
            index=t.index,
        )
        out[todo] = parsed.where(parsed.notna(), from_serial.where(serial_ok)).to_numpy()
    bad = ~blank & out.isna().to_numpy()
    return out, bad


def parse_date(raw: pd.Series, order: str | None = None) -> Parsed:
    """Dates: Excel dates or serials, 'dd/mm/yyyy', 'dd-mm-yy' or 'yyyy-mm-dd' text.

    `order` reads text that could be day/month or month/day (see `_dates`).
    """
    dates, bad = _dates(raw, order)
    return Parsed(pa.array(dates, from_pandas=True).cast(pa.date32()), bad)


def parse_date_in_order(raw: pd.Series, order: str | None) -> Parsed:
    """`parse_date` with the file's day/month order, through the fast path when it applies."""
    found = FAST_PARSERS["date"](raw)
    return Parsed(*found) if found is not None else parse_date(raw, order)


def parse_period(raw: pd.Series) -> Parsed:
    """Reporting month 'YYYY-MM' (also 'MM/YYYY', 'YYYY/MM' or any date inside the month)."""
    text = _text(raw)
    ym = text.str.extract(r"^(\d{4})[-/.](\d{1,2})$")
    my = text.str.extract(r"^(\d{1,2})[-/.](\d{4})$")
    year = pd.to_numeric(ym[0].fillna(my[1]), errors="coerce")
    month = pd.to_numeric(ym[1].fillna(my[0]), errors="coerce")
    dates, _ = _dates(raw.where(year.isna(), None))
    year = year.fillna(dates.dt.year)
    month = month.fillna(dates.dt.month)
    ok = year.between(2000, 2199) & month.between(1, 12)
    months = month.astype("Int64").astype("str").str.zfill(2)
    period = year.astype("Int64").astype("str") + "-" + months
    blank = (text == "").to_numpy()
    bad = ~blank & ~ok.to_numpy()
    return Parsed(pa.array(period.where(ok, None), type=pa.string()), bad)


def parse_year(raw: pd.Series) -> Parsed:
    """A four-digit year (2000-2199)."""
    values, bad = _numbers(raw, decimal_hint="integer")
    ok = values.between(2000, 2199) & (values == np.floor(values))
    bad = bad | (~ok.to_numpy() & np.isfinite(values.to_numpy()))
    return Parsed(pa.array(values.where(ok).astype("Int64"), type=pa.int32()), bad)


def parse_yn(raw: pd.Series) -> Parsed:
    """Y/N, also YA/TIDAK, YES/NO, 1/0 and spreadsheet booleans."""
    text = _text(raw).str.upper()
    is_true = text.isin(_TRUE).to_numpy()
    is_false = text.isin(_FALSE).to_numpy()
    bad = (text != "").to_numpy() & ~is_true & ~is_false
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[is_true] = True
    values[is_false] = False
    return Parsed(pa.array(values, type=pa.bool_()), bad)


def parse_nik(raw: pd.Series) -> Parsed:
    """NIK digits as text: from a number, scientific notation, or text with spaces/dots/dashes.

    Scientific notation with fewer than 16 significant digits lost digits when the sender's
    spreadsheet converted it: such a value is unparsable, not silently wrong.
    """
    original = _text(raw)
    if not original.str.isascii().all():
        original = original.str.translate(_digit_table())
    text = original.str.replace(r"[\s.\-']", "", regex=True)
    compact = original.str.replace(r"\s", "", regex=True)
    sci = compact.str.fullmatch(r"[0-9]([.,][0-9]+)?[eE]\+?[0-9]{1,2}")
    if sci.any():
        mant = compact[sci].str.replace(",", ".")
        digits = mant.str.extract(r"^([0-9])(?:\.([0-9]+))?[eE]")
        sig = 1 + digits[1].fillna("").str.len()
        floats = pd.to_numeric(mant, errors="coerce")
        exact = (sig >= 16) & floats.between(1e15, 1e16)
        as_int = floats.where(exact).astype("Int64").astype("str")
        text[sci] = as_int.where(exact, "!")
    blank = (original == "").to_numpy()
    valid = text.str.fullmatch(r"[0-9]+").fillna(False).to_numpy()
    bad = ~blank & ~valid
    return Parsed(pa.array(text.where(valid, None), type=pa.string()), bad)


@lru_cache(maxsize=1)
def _digit_table() -> dict[int, str]:
    """Every non-ASCII decimal digit (full-width ３, Arabic-Indic ٣, ...) to its ASCII digit.

    A clerk typing with an Asian or Arabic keyboard layout produces such digits: they are the
    same NIK. Before, the digit class accepted them unchanged, pseudonymisation failed on them
    and the whole file was refused as an unexpected error (seen in issue 16's review).
    """
    return {
        code: str(unicodedata.digit(chr(code)))
        for code in range(128, min(sys.maxunicode + 1, 0x20000))  # no Nd digit lies beyond
        if unicodedata.category(chr(code)) == "Nd"
    }


GENERAL_PARSERS: dict[str, Callable[[pd.Series], Parsed]] = {
    "text": parse_text,
    "code": parse_code,
    "codes": parse_codes,
    "integer": parse_integer,
    "rupiah": parse_rupiah,
    "decimal": parse_decimal,
    "date": parse_date,
    "period": parse_period,
    "year": parse_year,
    "nik": parse_nik,
    "yn": parse_yn,
}


def _with_fast_path(
    kind: str, general: Callable[[pd.Series], Parsed]
) -> Callable[[pd.Series], Parsed]:
    fast = FAST_PARSERS.get(kind)

    def parse(raw: pd.Series) -> Parsed:
        if fast is not None:
            found = fast(raw)
            if found is not None:
                return Parsed(*found)
        return general(raw)

    parse.__doc__ = general.__doc__
    return parse


# The parsers ingestion uses: the single-type fast path when it applies, else the general one.
PARSERS: dict[str, Callable[[pd.Series], Parsed]] = {
    kind: _with_fast_path(kind, parser) for kind, parser in GENERAL_PARSERS.items()
}
