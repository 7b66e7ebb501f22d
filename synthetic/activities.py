"""Empowerment activities (KEGIATAN) and participation (PESERTA) of one Bapas-month.

Reach is deliberately low (10-35% of the month's clients, DESIGN.md §1): the marts must show
that Pokmas programmes do not reach all needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.reference import codes_of
from synthetic.dates import Month
from synthetic.pokmas import PokmasGroup
from synthetic.population import weighted_choice
from synthetic.tables import MONTHLY, Table, sheet_spec

# Which activity type answers which need; unlisted needs get a random type.
NEED_TO_ACTIVITY = {
    "KERJA": "PENYALURAN_KERJA",
    "KETERAMPILAN": "PELATIHAN_KETERAMPILAN",
    "MODAL_USAHA": "BANTUAN_MODAL",
    "PENDIDIKAN": "PENDIDIKAN",
    "KEAGAMAAN": "BIMBINGAN_KEAGAMAAN",
    "KONSELING": "KONSELING",
    "KESEHATAN": "LAYANAN_KESEHATAN",
    "REHABILITASI_NAPZA": "REHABILITASI",
    "HUKUM": "PENYULUHAN_HUKUM",
    "SOSIAL_KELUARGA": "KEGIATAN_SOSIAL",
}
FUNDING_WEIGHTS = {"APBN": 35, "APBD": 20, "CSR": 15, "SWADAYA": 20, "HIBAH": 10}
LOCATION_WEIGHTS = {"GRIYA_ABHIPRAYA": 30, "BAPAS": 30, "LOKASI_MITRA": 30, "LAINNYA": 10}
GRIYA_LOCATION = "GRIYA_ABHIPRAYA"
OUTCOME_WEIGHTS = {
    "TIDAK_ADA": 45,
    "SERTIFIKAT": 35,
    "BEKERJA": 8,
    "USAHA_MANDIRI": 7,
    "LANJUT_PENDIDIKAN": 5,
}
NO_OUTCOME = "TIDAK_ADA"
SELF_FUNDED = "SWADAYA"
DURATIONS = (1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0)


@dataclass(frozen=True)
class MonthClients:
    """The month's registered clients as activities see them."""

    no_register: list[str]
    needs: list[list[str]]


def _pick(
    rng: np.random.Generator, codes: tuple[str, ...], weights: Mapping[str, float], n: int
) -> list[str]:
    return weighted_choice(rng, codes, weights, n) if n else []


def _participants(rng: np.random.Generator, own: np.ndarray, n: int, size: int) -> list[int]:
    """About 80% holders of the activity's need, the rest any other client (no repeats)."""
    k_own = min(len(own), round(size * 0.8))
    chosen = [int(i) for i in own[rng.choice(len(own), k_own, replace=False)]] if k_own else []
    k_other = min(n - k_own, size - k_own)
    if k_other > 0:
        taken = set(chosen)
        # Rejection sampling: far cheaper than a set difference over thousands of clients.
        for i in rng.integers(0, n, 4 * k_other + 8):
            if int(i) not in taken:
                taken.add(int(i))
                chosen.append(int(i))
                k_other -= 1
                if not k_other:
                    break
        if k_other:
            rest = [i for i in range(n) if i not in taken]
            chosen += rest[:k_other]
    return sorted(chosen)


def build_activities(
    rng: np.random.Generator,
    kode_bapas: str,
    month: Month,
    clients: MonthClients,
    groups: list[PokmasGroup],
    reach: float,
    cost_level: float,
    runs_griya: bool,
) -> tuple[Table, Table]:
    """KEGIATAN and PESERTA for one month; only AKTIF groups with a valid PKS organise."""
    kegiatan: dict[str, list[Any]] = {c: [] for c in _columns("KEGIATAN")}
    peserta: dict[str, list[Any]] = {c: [] for c in _columns("PESERTA")}
    n = len(clients.no_register)
    organisers = [g for g in groups if g.status(month) == "AKTIF"]
    if n == 0 or not organisers:
        return Table.build(MONTHLY, "KEGIATAN", kegiatan), Table.build(MONTHLY, "PESERTA", peserta)
    need_codes = codes_of("kebutuhan")
    holders_list: dict[str, list[int]] = {c: [] for c in need_codes}
    for i, needs in enumerate(clients.needs):
        for need in needs:
            holders_list.setdefault(need, []).append(i)
    holders = {c: np.array(v, dtype=np.int64) for c, v in holders_list.items()}
    prevalence = np.array([len(holders[c]) for c in need_codes], dtype=float) + 0.1
    slots_wanted = max(1, round(reach * n * 1.25))
    needs_drawn: list[str] = []
    members: list[list[int]] = []
    slots = 0
    while slots < slots_wanted:
        need = need_codes[int(rng.choice(len(need_codes), p=prevalence / prevalence.sum()))]
        size = int(min(n, np.clip(rng.poisson(12), 3, 30)))
        members.append(_participants(rng, holders[need], n, size))
        needs_drawn.append(need)
        slots += len(members[-1])
    k = len(members)
    locations = tuple(c for c in codes_of("lokasi_kegiatan") if runs_griya or c != GRIYA_LOCATION)
    funding = _pick(rng, codes_of("sumber_dana"), FUNDING_WEIGHTS, k)
    per_head = rng.lognormal(np.log(150_000 * cost_level), 0.5, k)
    sizes = np.array([len(m) for m in members])
    self_funded = np.array([f == SELF_FUNDED for f in funding])
    costs = np.round(per_head * np.where(self_funded, 0.4, 1.0) * sizes, -4).astype(int) + 50_000
    days = rng.integers(1, month.days + 1, k)
    fallback_types = rng.choice(codes_of("jenis_kegiatan"), k)
    prefix = f"{kode_bapas}-{month.year:04d}{month.month:02d}-K"
    codes = [f"{prefix}{i:03d}" for i in range(1, k + 1)]
    kegiatan["kode_kegiatan"] = codes
    kegiatan["kode_pokmas"] = [
        organisers[int(i)].kode_pokmas for i in rng.integers(0, len(organisers), k)
    ]
    kegiatan["tanggal"] = [month.start.replace(day=int(d)) for d in days]
    kegiatan["jenis_kegiatan"] = [
        NEED_TO_ACTIVITY.get(nd) or str(fb)
        for nd, fb in zip(needs_drawn, fallback_types, strict=True)
    ]
    kegiatan["kebutuhan_sasaran"] = needs_drawn
    kegiatan["lokasi"] = _pick(rng, locations, LOCATION_WEIGHTS, k)
    kegiatan["durasi_jam"] = [float(d) for d in rng.choice(DURATIONS, k)]
    kegiatan["sumber_dana"] = funding
    kegiatan["biaya_rp"] = [int(c) for c in costs]
    kegiatan["jumlah_peserta"] = [int(z) for z in sizes]
    _add_participants(rng, peserta, codes, members, clients.no_register)
    return Table.build(MONTHLY, "KEGIATAN", kegiatan), Table.build(MONTHLY, "PESERTA", peserta)


def _add_participants(
    rng: np.random.Generator,
    peserta: dict[str, list[Any]],
    codes: list[str],
    members: list[list[int]],
    registers: list[str],
) -> None:
    """PESERTA rows: most attend, most attendees complete, few have a concrete outcome."""
    total = sum(len(m) for m in members)
    hadir = rng.random(total) < 0.88
    selesai = hadir & (rng.random(total) < 0.82)
    outcomes = _pick(rng, codes_of("hasil_peserta"), OUTCOME_WEIGHTS, total)
    peserta["kode_kegiatan"] = [c for c, m in zip(codes, members, strict=True) for _ in m]
    peserta["no_register"] = [registers[i] for m in members for i in m]
    peserta["hadir"] = ["Y" if h else "N" for h in hadir]
    peserta["selesai"] = ["Y" if v else "N" for v in selesai]
    peserta["hasil"] = [o if v else NO_OUTCOME for o, v in zip(outcomes, selesai, strict=True)]


def _columns(sheet: str) -> list[str]:
    return [c.name for c in sheet_spec(MONTHLY, sheet).columns]
