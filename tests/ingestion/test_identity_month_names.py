"""Month names in file and folder names: Indonesian and English, abbreviated; never a guess.

Regression: only full month names counted, a date's month ("dikirim 5 November 2026") was
read as a period, and a second period in the name ("Juli-September 2026", an arrival-month
folder above a file named for the report month) held the file as `identity_mismatch`
against its correct IDENTITAS sheet.
"""

from __future__ import annotations

import pytest

from ingestion.identity import check_path, path_hints

# (path, IDENTITAS period, the one period the path names or None, held?)
NAMES = [
    ("Laporan Oktober 2026.xlsx", "2026-10", "2026-10", False),
    ("Laporan Okt 2026.xlsx", "2026-10", "2026-10", False),
    ("LAPORAN BULANAN OKT-2026.xlsx", "2026-10", "2026-10", False),
    ("lap_okt.2026_final.xlsx", "2026-10", "2026-10", False),
    ("Laporan October 2026.xlsx", "2026-10", "2026-10", False),
    ("Laporan Oct 2026 rev.xlsx", "2026-10", "2026-10", False),
    ("2026 Oktober/laporan.xlsx", "2026-10", "2026-10", False),
    ("2026_Okt laporan.xlsx", "2026-10", "2026-10", False),
    ("Laporan Agu 2026.xlsx", "2026-08", "2026-08", False),
    ("Laporan Agt 2026.xlsx", "2026-08", "2026-08", False),
    ("Laporan Agustus2026.xlsx", "2026-08", "2026-08", False),
    ("Laporan Des 2026.xlsx", "2026-12", "2026-12", False),
    ("Laporan Dec 2026.xlsx", "2026-12", "2026-12", False),
    ("Laporan Mei 2026.xlsx", "2026-05", "2026-05", False),
    ("Laporan May 2026.xlsx", "2026-05", "2026-05", False),
    ("Laporan Pebruari 2026.xlsx", "2026-02", "2026-02", False),
    ("Laporan Nop 2026.xlsx", "2026-11", "2026-11", False),
    ("Laporan Sept 2026.xlsx", "2026-09", "2026-09", False),
    ("laporan_bulanan_BP1301_2026-10_Oktober.xlsx", "2026-10", "2026-10", False),
    # A date is when it was sent, not a period.
    ("Laporan Oktober 2026 dikirim 5 November 2026.xlsx", "2026-10", "2026-10", False),
    ("Laporan dikirim 05-Nov-2026.xlsx", "2026-10", None, False),
    # Two periods, or a month word that disagrees: ambiguous, never held.
    ("Laporan Juli-September 2026.xlsx", "2026-07", None, False),
    ("lap okt 2026 rev nov 2026.xlsx", "2026-10", None, False),
    ("kiriman 2026-11/Laporan Okt 2026.xlsx", "2026-10", None, False),
    ("Laporan Bapas Oktober 2026 - 2026_11 revisi.xlsx", "2026-10", None, False),
    # Words that only contain a month name are no hint.
    ("Marwan Desa Agung/laporan.xlsx", "2026-10", None, False),
    ("Laporan Oktober.xlsx", "2026-10", None, False),
    # One clear period that disagrees still holds.
    ("Laporan Sep 2026.xlsx", "2026-10", "2026-09", True),
    ("Laporan Agustus 2026.xlsx", "2026-10", "2026-08", True),
    ("BP1301/2026 Des/laporan.xlsx", "2026-10", "2026-12", True),
]


@pytest.mark.parametrize(("rel", "identitas", "named", "held"), NAMES, ids=[n[0] for n in NAMES])
def test_month_names_in_paths(rel: str, identitas: str, named: str | None, held: bool) -> None:
    assert path_hints(rel).period() == named
    check = check_path(rel, "month", "BP1301", identitas)
    assert (check.hold is not None) == held
    assert check.path_period == (named if held else None)


def test_annual_plan_with_two_years_is_not_held() -> None:
    rel = "BP1301/2026/rencana_tahunan_BP1301_2027.xlsx"
    assert check_path(rel, "year", "BP1301", "2027").hold is None
    assert check_path("BP1301/rencana_2026.xlsx", "year", "BP1301", "2027").hold is not None
