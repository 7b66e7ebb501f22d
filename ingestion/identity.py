"""Identity hints in a submission's path, checked against IDENTITAS (DESIGN.md §9).

A file whose folder or file name names another Bapas or period than its IDENTITAS sheet is
*held*: its rows are loaded but it never becomes current, and both offices are told. Only clear
patterns count as hints (a known BPnnnn code or 6-digit satker code, YYYY-MM / YYYY_MM, an
Indonesian or English month name or abbreviation next to its year, and for annual plans a lone
YYYY); a path without hints, or whose hints name more than one period, never holds a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import reference
from ingestion.quarantine import Rejection

_BAPAS = re.compile(r"(?<![A-Za-z0-9])BP\d{4}(?!\d)", re.IGNORECASE)
_SATKER = re.compile(r"(?<![0-9])\d{6}(?![0-9])")
# A period is YYYY-MM or YYYY_MM, not the first part of a date (2026-07-05 is when it was sent).
_PERIOD = re.compile(r"(?<![0-9])(20\d{2})[-_](0[1-9]|1[0-2])(?![0-9])(?![-_.][0-9])")
_YEAR = re.compile(r"(?<![0-9])20\d{2}(?![0-9])")
# 2026-07-05, 2026.1 or 05-07-2026 around a year: a date or a number, not a lone year.
_DATE_AFTER = re.compile(r"[-_.][0-9]")
_DATE_BEFORE = re.compile(r"(?:^|[^A-Za-z0-9])[0-9]{1,2}[-_.]$")
# Month names and the abbreviations clerks type (Indonesian and English; DESIGN.md §9).
_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "pebruari", "feb", "peb"),
            ("maret", "march", "mar", "mrt"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "ags", "agst", "aug"),
            ("september", "sept", "sep"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nopember", "nov", "nop"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
# A month name or abbreviation as a whole word (letters on neither side; "Okt." allowed).
_MONTH_WORD = re.compile(
    r"(?<![a-z])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![a-z])\.?",
    re.IGNORECASE,
)
# The year written right after ("Oktober 2026", "Okt-2026", "Agustus2026") or right before
# ("2026 Oktober", "2026_Okt") a month word.
_YEAR_AFTER = re.compile(r"[-_ .]?(20\d{2})(?![0-9])")
_YEAR_BEFORE = re.compile(r"(?<![0-9])(20\d{2})[-_ .]?$")
# A day number before the month word: "5 November 2026" is when it was sent, not a period.
_DAY_BEFORE = re.compile(r"(?<![0-9])(?:0?[1-9]|[12][0-9]|3[01])[-_ .]?$")


@dataclass(frozen=True)
class _MonthWords:
    """Month words of a path: periods with their year, months without one, spans taken."""

    periods: list[tuple[int, str]]
    loose_months: list[int]
    taken: list[tuple[int, int]]


def _month_words(text: str) -> _MonthWords:
    periods: list[tuple[int, str]] = []
    loose: list[int] = []
    taken: list[tuple[int, int]] = []
    for match in _MONTH_WORD.finditer(text):
        month = _MONTHS[match.group(1).lower()]
        before = text[: match.start()]
        after = _YEAR_AFTER.match(text, match.end())
        year_before = _YEAR_BEFORE.search(before)
        if after is not None and _DAY_BEFORE.search(before):
            taken.append((match.start(), after.end()))  # a date ("5 November 2026")
        elif after is not None:
            periods.append((match.start(), f"{after.group(1)}-{month:02d}"))
            taken.append((match.start(), after.end()))
        elif year_before is not None:
            periods.append((year_before.start(), f"{year_before.group(1)}-{month:02d}"))
            taken.append((year_before.start(), match.end()))
        else:
            loose.append(month)
    return _MonthWords(periods, loose, taken)


@dataclass(frozen=True)
class PathHints:
    """What the folder and file names say about a submission (empty = nothing clear)."""

    bapas: tuple[str, ...] = ()  # known kode_bapas, in path order
    periods: tuple[str, ...] = ()  # YYYY-MM
    years: tuple[str, ...] = ()  # lone YYYY (used for annual plans only)
    loose_months: tuple[int, ...] = ()  # month words without a year ("Juli-September 2026")

    def period(self) -> str | None:
        """The one period the path names, or None when it names none or is ambiguous.

        Two periods ("Oktober 2026 dikirim November 2026", an arrival-month folder above a
        file named for the report month), or a month word that disagrees with the period
        ("Juli-September 2026"), are no clear hint: a file is never held on a guess.
        """
        if len(self.periods) != 1:
            return None
        month = int(self.periods[0][5:])
        return self.periods[0] if all(m == month for m in self.loose_months) else None

    def year(self) -> str | None:
        """The one lone year the path names (annual plans), or None (none or several)."""
        return self.years[0] if len(self.years) == 1 else None


@dataclass(frozen=True)
class IdentityCheck:
    """The path's identity as far as it disagrees with IDENTITAS, and the hold it causes."""

    path_kode_bapas: str | None = None
    path_period: str | None = None
    hold: Rejection | None = None


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def path_hints(rel_path: str) -> PathHints:
    """Bapas, period and year hints in every folder and file name of `rel_path`."""
    by_code = reference.bapas_by_code()
    by_satker = {b.kode_satker: b.kode_bapas for b in by_code.values() if b.kode_satker}
    text = rel_path.replace("\\", "/")
    bapas = [m.group(0).upper() for m in _BAPAS.finditer(text)]
    bapas = [code for code in bapas if code in by_code]
    bapas += [by_satker[m.group(0)] for m in _SATKER.finditer(text) if m.group(0) in by_satker]
    words = _month_words(text)
    periods = [(m.start(), f"{m.group(1)}-{m.group(2)}") for m in _PERIOD.finditer(text)]
    periods += words.periods
    # A year that is part of a period or a date is not a lone year.
    taken = [(m.start(), m.end()) for m in _PERIOD.finditer(text)] + words.taken
    years = [
        m.group(0)
        for m in _YEAR.finditer(text)
        if not any(s <= m.start() < e for s, e in taken)
        and not _DATE_AFTER.match(text, m.end())
        and not _DATE_BEFORE.search(text[max(0, m.start() - 4) : m.start()])
    ]
    return PathHints(
        _unique(bapas),
        _unique([p for _, p in sorted(periods)]),
        _unique(years),
        tuple(dict.fromkeys(words.loose_months)),
    )


def _same_office(hint: str, kode_bapas: str) -> bool:
    # A Pos Bapas reports through its parent: its folder may hold the parent's report.
    office = reference.bapas_by_code().get(hint)
    return hint == kode_bapas or (office is not None and office.kode_bapas_induk == kode_bapas)


def check_path(rel_path: str, period_type: str, kode_bapas: str, period: str) -> IdentityCheck:
    """Compare the path's hints with IDENTITAS; a disagreement holds the file."""
    hints = path_hints(rel_path)
    other_bapas = next((b for b in hints.bapas if not _same_office(b, kode_bapas)), None)
    named = hints.year() if period_type == "year" else hints.period()
    other_period = named if named is not None and named != period else None
    if other_bapas is None and other_period is None:
        return IdentityCheck()
    named_bapas = other_bapas or kode_bapas
    named_period = other_period or period
    return IdentityCheck(other_bapas, other_period, _mismatch(
        rel_path, (kode_bapas, period), (named_bapas, named_period)
    ))  # fmt: skip


def _mismatch(rel_path: str, sheet: tuple[str, str], path: tuple[str, str]) -> Rejection:
    label_id = "periode" if len(sheet[1]) == 7 else "tahun"
    label_en = "period" if len(sheet[1]) == 7 else "year"
    stem = "laporan_bulanan" if len(sheet[1]) == 7 else "rencana_tahunan"
    return Rejection(
        "identity_mismatch",
        f"IDENTITAS menyebut {sheet[0]} {label_id} {sheet[1]}, tetapi nama berkas/folder "
        f"'{rel_path[-120:]}' menyebut {path[0]} {label_id} {path[1]}. Berkas ditahan: datanya "
        "disimpan tetapi tidak dipakai dan tidak menggantikan laporan mana pun.",
        f"IDENTITAS says {sheet[0]} {label_en} {sheet[1]}, but the file/folder name "
        f"'{rel_path[-120:]}' says {path[0]} {label_en} {path[1]}. The file is held: its data "
        "is kept but not used, and it replaces no report.",
        # A renamed copy of the same bytes would only be a duplicate: when IDENTITAS is right,
        # the way forward is Ditjen accepting this file (`lipas release`), not a resend.
        hint_id=f"Jika IDENTITAS benar ({sheet[0]} {label_id} {sheet[1]}), tidak perlu kirim "
        "ulang: minta Ditjenpas menerima berkas ini, dan lain kali beri nama "
        f"{stem}_{sheet[0]}_{sheet[1]}.xlsx. Jika laporan ini milik {path[0]} {label_id} "
        f"{path[1]}, perbaiki kode_bapas dan {label_id} di sheet IDENTITAS lalu kirim ulang.",
        hint_en=f"If IDENTITAS is right ({sheet[0]} {label_en} {sheet[1]}), do not resend: ask "
        "Ditjenpas to accept this file, and next time name it "
        f"{stem}_{sheet[0]}_{sheet[1]}.xlsx. If this report belongs to {path[0]} {label_en} "
        f"{path[1]}, correct kode_bapas and {label_id} in the IDENTITAS sheet and resend.",
        sheet="IDENTITAS",
        column="kode_bapas" if sheet[0] != path[0] else label_id,
    )
