"""Choose the messy-but-valid variations of one file (DESIGN.md §4), deterministically."""

from __future__ import annotations

import numpy as np

from core.contract.model import load_contract
from synthetic import style as st

XLSX_VARIATIONS = (
    st.DATES_SERIAL,
    st.DATES_TEXT,
    st.RUPIAH_RP,
    st.RUPIAH_DECIMAL,
    st.NIK_NUMBER,
    st.NIK_SPACES,
    st.TRAILING_BLANK,
    st.TITLE_ROWS,
    st.SHEET_NAMES,
    st.COLUMN_NAMES,
    st.LIBREOFFICE,
)
CSV_VARIATIONS = (
    st.DATES_TEXT,
    st.RUPIAH_RP,
    st.RUPIAH_DECIMAL,
    st.NIK_SPACES,
    st.TRAILING_BLANK,
    st.SHEET_NAMES,
    st.COLUMN_NAMES,
    st.CSV_CP1252,
    st.CSV_BOM,
)
# Variations that describe the same thing two ways: a file uses at most one of each group.
EXCLUSIVE = (
    {st.DATES_SERIAL, st.DATES_TEXT},
    {st.RUPIAH_RP, st.RUPIAH_DECIMAL},
    {st.NIK_NUMBER, st.NIK_SPACES},
    {st.CSV_CP1252, st.CSV_BOM},
)
# 16-digit numbers above 2**53 lose their last digit in a float cell: only NIKs of provinces
# below 90 survive being stored as a number, so only those offices get that variation.
MAX_NUMERIC_NIK_PROVINCE = 90


def applicable(fmt: str, kind: str, kode_bapas: str) -> tuple[str, ...]:
    """Variations that make sense for a file format and report kind."""
    options: tuple[str, ...] = XLSX_VARIATIONS if fmt == "xlsx" else CSV_VARIATIONS
    if kind != "monthly" or int(kode_bapas[2:4]) >= MAX_NUMERIC_NIK_PROVINCE:
        options = tuple(v for v in options if v != st.NIK_NUMBER)
    return options


def choose_style(rng: np.random.Generator, fmt: str, kind: str, kode_bapas: str) -> st.Style:
    """1-3 compatible variations with their concrete names, rows and encoding."""
    options = applicable(fmt, kind, kode_bapas)
    picked: list[str] = []
    for i in rng.permutation(len(options))[: int(rng.integers(1, 4))]:
        candidate = options[i]
        if not any(
            candidate in group and picked_one in group
            for group in EXCLUSIVE
            for picked_one in picked
        ):
            picked.append(candidate)
    return style_for(rng, picked, kind)


def style_for(rng: np.random.Generator, variations: list[str], kind: str) -> st.Style:
    """Concrete Style for a list of variation names (also used by tests to force one)."""
    spec = load_contract().kind(kind)
    sheet_names: dict[str, str] = {}
    column_names: dict[tuple[str, str], str] = {}
    if st.SHEET_NAMES in variations:
        for sheet in spec.sheets:
            sheet_names[sheet.name] = _variant(rng, sheet.name, sheet.aliases, pad=False)
    if st.COLUMN_NAMES in variations:
        for sheet in spec.sheets:
            for column in sheet.columns:
                column_names[(sheet.name, column.name)] = _variant(rng, column.name, column.aliases)
    encoding = "utf-8"
    if st.CSV_CP1252 in variations:
        encoding = "cp1252"
    elif st.CSV_BOM in variations:
        encoding = "utf-8-sig"
    return st.Style(
        variations=tuple(sorted(variations)),
        sheet_names=sheet_names,
        column_names=column_names,
        title_rows=int(rng.integers(1, 3)) if st.TITLE_ROWS in variations else 0,
        blank_rows=int(rng.integers(2, 6)) if st.TRAILING_BLANK in variations else 0,
        encoding=encoding,
    )


def _variant(
    rng: np.random.Generator, name: str, aliases: tuple[str, ...], pad: bool = True
) -> str:
    """Another spelling a sender might use: other case, spaces, or a contract alias.

    Padding with spaces is only used for headers: a file or sheet name with edge spaces is
    not something Excel or Windows keeps.
    """
    spaced = name.replace("_", " ")
    padded = [f" {spaced.upper()} "] if pad else []
    options = [name.lower(), spaced.title(), *padded, *aliases]
    if name.lower() == name:
        options[0] = name.upper()
    return options[int(rng.integers(len(options)))][:31]
