"""Value parsers: every spelling real senders use, and what must become NULL + an issue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.values import GENERAL_PARSERS, PARSERS
from ingestion.values_fast import FAST_PARSERS


def _in_script(text: str, zero: int) -> str:
    """`text` with its ASCII digits written in the script whose zero is `zero`."""
    return text.translate({ord(d): chr(zero + int(d)) for d in "0123456789"})


def parse(kind: str, value: object) -> tuple[object, bool]:
    result = PARSERS[kind](pd.Series([value], dtype=object))
    return result.values.to_pylist()[0], bool(result.bad[0])


@pytest.mark.parametrize(
    ("kind", "raw", "expected", "bad"),
    [
        pytest.param(
            "date", dt.datetime(2025, 3, 5, 10, 30), dt.date(2025, 3, 5), False, id="excel datetime"
        ),
        pytest.param("date", dt.date(2025, 3, 5), dt.date(2025, 3, 5), False, id="date object"),
        pytest.param("date", 45721.0, dt.date(2025, 3, 5), False, id="excel serial number"),
        pytest.param("date", "45721", dt.date(2025, 3, 5), False, id="excel serial as text"),
        pytest.param("date", "05/03/2025", dt.date(2025, 3, 5), False, id="dd/mm/yyyy"),
        pytest.param("date", "5-3-2025", dt.date(2025, 3, 5), False, id="d-m-yyyy"),
        pytest.param("date", "2025-03-05", dt.date(2025, 3, 5), False, id="iso"),
        pytest.param("date", "2025-03-05 00:00:00", dt.date(2025, 3, 5), False, id="iso with time"),
        pytest.param("date", "31/02/2025", None, True, id="impossible day"),
        pytest.param("date", "kemarin", None, True, id="words"),
        pytest.param("date", -5.0, None, True, id="negative serial"),
        pytest.param("date", "  ", None, False, id="blank is null not bad"),
        pytest.param("rupiah", "Rp 1.500.000", Decimal("1500000.00"), False, id="Rp with dots"),
        pytest.param(
            "rupiah", "1.500.000,00", Decimal("1500000.00"), False, id="dots and decimal comma"
        ),
        pytest.param("rupiah", "1,500,000.50", Decimal("1500000.50"), False, id="english format"),
        pytest.param("rupiah", "Rp1.250.000,-", Decimal("1250000.00"), False, id="trailing ,-"),
        pytest.param("rupiah", 750000, Decimal("750000.00"), False, id="number"),
        pytest.param("rupiah", "IDR 2.000", Decimal("2000.00"), False, id="IDR prefix"),
        pytest.param("rupiah", "gratis", None, True, id="words"),
        pytest.param("integer", 3.0, 3, False, id="excel float"),
        pytest.param("integer", "1.234", 1234, False, id="thousands dot"),
        pytest.param("integer", " 12 ", 12, False, id="spaces"),
        pytest.param("integer", 2.5, None, True, id="fraction"),
        pytest.param("integer", "dua", None, True, id="words"),
        pytest.param("decimal", "2,5", 2.5, False, id="decimal comma"),
        pytest.param("decimal", 1.75, 1.75, False, id="float"),
        pytest.param("nik", 3201011203850001.0, "3201011203850001", False, id="nik as float"),
        pytest.param("nik", 3201011203850001, "3201011203850001", False, id="nik as int"),
        pytest.param("nik", "3201 0112 0385 0001", "3201011203850001", False, id="nik with spaces"),
        pytest.param("nik", "3201.0112.0385.0001", "3201011203850001", False, id="nik with dots"),
        pytest.param(
            "nik", "3.201011203850001E+15", "3201011203850001", False, id="scientific exact"
        ),
        pytest.param("nik", "3,20101E+15", None, True, id="scientific lost digits"),
        pytest.param("nik", "32010112O3850001", None, True, id="letter O for zero"),
        pytest.param("nik", "320101", "320101", False, id="short nik kept for status flag"),
        # Typed with a Japanese/Chinese IME or an Arabic layout: the same digits (was passed
        # through unchanged, and pseudonymisation then refused the whole file).
        pytest.param(
            "nik",
            _in_script("3201 0112 0385 0001", 0xFF10),
            "3201011203850001",
            False,
            id="full-width digits",
        ),
        pytest.param(
            "nik",
            _in_script("3201011203850001", 0x0660),
            "3201011203850001",
            False,
            id="arabic-indic digits",
        ),
        pytest.param("nik", "\u00b3\u00b2\u00b9", None, True, id="superscripts are not digits"),
        pytest.param("yn", "ya", True, False, id="ya"),
        pytest.param("yn", "TIDAK", False, False, id="tidak"),
        pytest.param("yn", "Yes", True, False, id="yes"),
        pytest.param("yn", 0.0, False, False, id="zero float"),
        pytest.param("yn", True, True, False, id="spreadsheet bool"),
        pytest.param("yn", "mungkin", None, True, id="maybe"),
        pytest.param("code", " tidak aktif ", "TIDAK_AKTIF", False, id="code lower with space"),
        pytest.param("code", "Lokasi-Mitra", "LOKASI_MITRA", False, id="code hyphen"),
        pytest.param("code", "ZZZ", "ZZZ", False, id="unknown code kept for quality"),
        pytest.param("codes", "kerja; modal usaha", "KERJA;MODAL_USAHA", False, id="codes list"),
        pytest.param("codes", "KERJA,,PENDIDIKAN;", "KERJA;PENDIDIKAN", False, id="codes commas"),
        pytest.param("text", 123.0, "123", False, id="register stored as number"),
        pytest.param("text", "  REG-1 ", "REG-1", False, id="text trimmed"),
        pytest.param("period", "2025-03", "2025-03", False, id="period iso"),
        pytest.param("period", "3/2025", "2025-03", False, id="period m/yyyy"),
        pytest.param("period", dt.datetime(2025, 3, 1), "2025-03", False, id="period as date"),
        pytest.param("period", 45717.0, "2025-03", False, id="period as serial"),
        pytest.param("period", "2025-13", None, True, id="period month 13"),
        pytest.param("period", "Maret", None, True, id="period words"),
        pytest.param("year", "2025", 2025, False, id="year text"),
        pytest.param("year", 2025.0, 2025, False, id="year float"),
        pytest.param("year", "25", None, True, id="two digit year"),
    ],
)
def test_parser(kind: str, raw: object, expected: object, bad: bool) -> None:
    assert parse(kind, raw) == (expected, bad)


def test_blank_cells_are_null_and_not_issues() -> None:
    for kind, parser in PARSERS.items():
        result = parser(pd.Series([None, "", "   ", float("nan")], dtype=object))
        assert result.values.null_count == 4, kind
        assert not result.bad.any(), kind


def test_mixed_column_keeps_row_alignment() -> None:
    raw = pd.Series(["05/03/2025", 45721.0, None, "x", dt.date(2025, 3, 6)], dtype=object)
    result = PARSERS["date"](raw)
    assert result.values.to_pylist() == [
        dt.date(2025, 3, 5), dt.date(2025, 3, 5), None, None, dt.date(2025, 3, 6)
    ]  # fmt: skip
    assert result.bad.tolist() == [False, False, False, True, False]


# The fast single-type paths must agree with the general parsers they shortcut.
_same_type_columns = st.one_of(
    st.lists(st.one_of(st.just(""), st.text(max_size=12)), min_size=1, max_size=8),
    # Text with empty cells and whitespace-only text (blank by Python's definition) in between.
    st.lists(
        st.one_of(
            st.none(), st.sampled_from([" ", "\u3000", "\x1c\t", "\xa0"]), st.text(max_size=6)
        ),
        min_size=1, max_size=8,
    ),
    st.lists(
        st.one_of(st.just(""), st.floats(min_value=-1e17, max_value=1e17, allow_nan=False)),
        min_size=1, max_size=8,
    ),
    st.lists(st.one_of(st.just(""), st.integers(-(10**16), 10**16)), min_size=1, max_size=8),
    st.lists(
        st.one_of(st.just(""), st.datetimes(min_value=dt.datetime(1900, 1, 1),
                                            max_value=dt.datetime(2199, 12, 31))),
        min_size=1, max_size=8,
    ),
    st.lists(st.sampled_from(["Y", "n", " ya ", "TIDAK", "", "x"]), min_size=1, max_size=8),
    st.lists(st.sampled_from(["3201 0112", "32.01-01", "", "3201011203850001"]), min_size=1),
    st.lists(st.sampled_from(["2025-03", " 2025-12 ", "", "2025-3", "1999-01"]), min_size=1),
    st.lists(
        st.sampled_from(["kerja; modal usaha", "KERJA,,X;", " ; ", "a - b;c", "", "_x_;"]),
        min_size=1,
    ),
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(FAST_PARSERS)), cells=_same_type_columns)
def test_fast_path_matches_general_parser(kind: str, cells: list[object]) -> None:
    raw = pd.Series(cells, dtype=object)
    fast = FAST_PARSERS[kind](raw)
    if fast is None:
        return
    general = GENERAL_PARSERS[kind](raw)
    assert fast[0].to_pylist() == general.values.to_pylist()
    assert fast[1].tolist() == general.bad.tolist()


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("text", id="text"),
        pytest.param("code", id="code"),
        pytest.param("integer", id="integer"),
        pytest.param("date", id="date"),
        pytest.param("nik", id="nik"),
    ],
)
def test_whitespace_only_column_is_all_null_without_issues(kind: str) -> None:
    # Regression guard for the Arrow blank check of text columns: whitespace by Python's rules
    # (\x1c, NBSP, ideographic space) is blank, exactly as in the per-cell check it replaced.
    raw = pd.Series([" ", None, "\u3000", "\x1c", "\xa0 "], dtype=object)
    result = PARSERS[kind](raw)
    assert result.values.to_pylist() == [None] * 5
    assert not result.bad.any()


def test_general_nik_parser_keeps_big_python_ints_exact() -> None:
    # Regression (hypothesis, 2026-11-30): the general path went through float64, so the int
    # 9007199254740993 became '...992' while the fast path kept it.
    raw = pd.Series([9007199254740993, "x"], dtype=object)
    assert GENERAL_PARSERS["nik"](raw).values.to_pylist() == ["9007199254740993", None]
