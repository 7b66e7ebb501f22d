"""Synthetic NIK (Indonesian ID number) consistent with province, sex and birth date.

Structure (DESIGN.md §4): digits 1-2 province (Kemendagri code), 3-6 the rest of the region
of issue, 7-12 DDMMYY of birth with 40 added to the day for women, 13-16 a serial != 0000.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

NIK_RE = re.compile(r"^\d{16}$")


def birth_digits(birth: dt.date, female: bool) -> str:
    """The DDMMYY block of a NIK."""
    day = birth.day + (40 if female else 0)
    return f"{day:02d}{birth.month:02d}{birth.year % 100:02d}"


def make_nik(province: str, region: int, birth: dt.date, female: bool, serial: int) -> str:
    """One NIK; `region` is the 4-digit district+subdistrict block, `serial` 1..9999."""
    if not 1 <= serial <= 9999:
        raise ValueError(f"NIK serial must be 1..9999, got {serial}")
    return f"{province}{region:04d}{birth_digits(birth, female)}{serial:04d}"


def make_niks(
    rng: np.random.Generator, province: str, births: list[dt.date], female: np.ndarray
) -> list[str]:
    """Vectorised NIKs for people registered in one province."""
    n = len(births)
    kab = rng.integers(1, 30, n)
    kec = rng.integers(1, 25, n)
    serial = rng.integers(1, 10000, n)
    return [
        make_nik(province, int(k) * 100 + int(c), b, bool(f), int(s))
        for k, c, b, f, s in zip(kab, kec, births, female, serial, strict=True)
    ]


def with_birth(nik: str, birth: dt.date, female: bool) -> str:
    """The same NIK with its birth block rewritten (used when a fault changes a birth date)."""
    return nik[:6] + birth_digits(birth, female) + nik[12:]


def nik_matches(nik: str, birth: dt.date, female: bool) -> bool:
    """True when a NIK is structurally valid and agrees with sex and birth date."""
    if not NIK_RE.match(nik) or nik[12:] == "0000":
        return False
    return nik[6:12] == birth_digits(birth, female)
