"""Reference data (Bapas, Kanwil, code lists, report calendar) read from the dbt seeds.

The seeds in dbt_project/seeds are the single source of truth: the generator, the ingestion
validator, the template and dbt all read them, so a code list is never typed twice.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.period import due_date
from core.settings import SEEDS_DIR


@dataclass(frozen=True)
class Code:
    """One allowed value of a code list."""

    code_list: str
    code: str
    label_id: str
    label_en: str
    # Business rule kept with the code (e.g. the mandated Pokmas fields), not in SQL or Python.
    is_mandated: bool = False


@dataclass(frozen=True)
class Kanwil:
    """A regional office (Kanwil Ditjenpas)."""

    kode_kanwil: str
    nama_kanwil: str
    provinsi_induk: str
    kode_provinsi: str


@dataclass(frozen=True)
class Bapas:
    """A probation office, with its validity window (who owes reports depends on it)."""

    kode_bapas: str
    kode_satker: str | None
    nama_resmi: str
    nama_singkat: str
    kelas: str | None
    kode_kanwil: str
    provinsi: str
    kota: str
    griya_abhipraya_sejak: dt.date | None
    aktif_dari: dt.date
    aktif_sampai: dt.date | None
    kode_bapas_induk: str | None = None

    @property
    def is_pos_bapas(self) -> bool:
        """A Pos Bapas is a service point that reports through its parent Bapas."""
        return self.kode_bapas_induk is not None

    def is_active(self, start: dt.date, end: dt.date) -> bool:
        """True when the office existed at any time in [start, end]."""
        return self.aktif_dari <= end and (self.aktif_sampai is None or self.aktif_sampai >= start)

    def runs_griya(self, on: dt.date) -> bool:
        """True when the office runs a Griya Abhipraya on the given date."""
        return self.griya_abhipraya_sejak is not None and self.griya_abhipraya_sejak <= on


@dataclass(frozen=True)
class ReportCalendar:
    """Periodicity and deadline rule of one report type (configuration, from a seed)."""

    report_type: str
    nama_laporan: str
    periodicity: str
    deadline_months_after_period_start: int
    deadline_day: int
    required_from: dt.date | None = None
    required_to: dt.date | None = None

    def is_required(self, period_start: dt.date) -> bool:
        """Whether a period starting on `period_start` owes this report at all."""
        after_start = self.required_from is None or period_start >= self.required_from
        before_end = self.required_to is None or period_start <= self.required_to
        return after_start and before_end

    def deadline(self, period_start: dt.date) -> dt.date:
        """Last on-time day (Asia/Jakarta) for the period starting on `period_start`."""
        return due_date(period_start, self.deadline_months_after_period_start, self.deadline_day)


def _read(name: str, seeds_dir: Path | None = None) -> list[dict[str, str]]:
    path = (seeds_dir or SEEDS_DIR) / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(value: str) -> dt.date | None:
    value = value.strip()
    return dt.date.fromisoformat(value) if value else None


@lru_cache(maxsize=4)
def load_code_lists(seeds_dir: Path | None = None) -> dict[str, tuple[Code, ...]]:
    """All code lists keyed by list name, in their documented order."""
    lists: dict[str, list[Code]] = {}
    rows = sorted(
        _read("ref_codes", seeds_dir), key=lambda r: (r["code_list"], int(r["sort_order"]))
    )
    for row in rows:
        lists.setdefault(row["code_list"], []).append(
            Code(
                row["code_list"],
                row["code"],
                row["label_id"],
                row["label_en"],
                row.get("is_mandated", "").strip().lower() == "true",
            )
        )
    return {name: tuple(codes) for name, codes in lists.items()}


def codes_of(code_list: str, seeds_dir: Path | None = None) -> tuple[str, ...]:
    """The allowed code values of one list; KeyError names an unknown list."""
    return tuple(c.code for c in load_code_lists(seeds_dir)[code_list])


def mandated_codes(code_list: str, seeds_dir: Path | None = None) -> tuple[str, ...]:
    """Codes of a list flagged is_mandated in ref_codes (e.g. the Pokmas fields a Bapas needs)."""
    return tuple(c.code for c in load_code_lists(seeds_dir)[code_list] if c.is_mandated)


@lru_cache(maxsize=4)
def load_kanwil(seeds_dir: Path | None = None) -> tuple[Kanwil, ...]:
    """Every Kanwil."""
    return tuple(
        Kanwil(r["kode_kanwil"], r["nama_kanwil"], r["provinsi_induk"], r["kode_provinsi"])
        for r in _read("ref_kanwil", seeds_dir)
    )


@lru_cache(maxsize=4)
def province_codes(seeds_dir: Path | None = None) -> frozenset[str]:
    """Every Kemendagri province code (NIK digits 1-2), including provinces without a Kanwil."""
    return frozenset(r["kode_provinsi"] for r in _read("ref_provinsi", seeds_dir))


@lru_cache(maxsize=4)
def load_bapas(seeds_dir: Path | None = None) -> tuple[Bapas, ...]:
    """Every Bapas ever listed, active or not."""
    out = []
    for r in _read("ref_bapas", seeds_dir):
        aktif_dari = _date(r["aktif_dari"])
        if aktif_dari is None:
            raise ValueError(f"ref_bapas: {r['kode_bapas']} has no aktif_dari")
        out.append(
            Bapas(
                kode_bapas=r["kode_bapas"],
                kode_satker=r["kode_satker"] or None,
                nama_resmi=r["nama_resmi"],
                nama_singkat=r["nama_singkat"],
                kelas=r["kelas"] or None,
                kode_kanwil=r["kode_kanwil"],
                provinsi=r["provinsi"],
                kota=r["kota"],
                griya_abhipraya_sejak=_date(r["griya_abhipraya_sejak"]),
                aktif_dari=aktif_dari,
                aktif_sampai=_date(r["aktif_sampai"]),
                kode_bapas_induk=r.get("kode_bapas_induk", "").strip() or None,
            )
        )
    return tuple(out)


def bapas_by_code(seeds_dir: Path | None = None) -> dict[str, Bapas]:
    """Bapas keyed by kode_bapas."""
    return {b.kode_bapas: b for b in load_bapas(seeds_dir)}


def active_bapas(start: dt.date, end: dt.date, seeds_dir: Path | None = None) -> list[Bapas]:
    """Offices that owe a report for [start, end]: active then, and not a Pos Bapas."""
    return [b for b in load_bapas(seeds_dir) if b.is_active(start, end) and not b.is_pos_bapas]


@lru_cache(maxsize=4)
def load_calendar(seeds_dir: Path | None = None) -> dict[str, ReportCalendar]:
    """Report calendar keyed by report type (monthly, annual_plan, ...)."""
    return {
        r["report_type"]: ReportCalendar(
            report_type=r["report_type"],
            nama_laporan=r["nama_laporan"],
            periodicity=r["periodicity"],
            deadline_months_after_period_start=int(r["deadline_months_after_period_start"]),
            deadline_day=int(r["deadline_day"]),
            required_from=_date(r.get("required_from", "")),
            required_to=_date(r.get("required_to", "")),
        )
        for r in _read("ref_report_calendar", seeds_dir)
    }
