"""Clients of one Bapas over the generated months: arrivals, supervision, exits (vectorised)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.reference import Bapas, codes_of
from synthetic.dates import Month, add_years
from synthetic.names import person_names
from synthetic.nik import make_niks
from synthetic.streams import rng_for

# Codes with a business meaning in the generator; each is checked against the seed lists at
# run time (see `check_codes`) so a renamed code fails loudly instead of silently.
ACTIVE = "AKTIF"
END_STATUSES = ("SELESAI", "DICABUT", "PINDAH", "MENINGGAL")
ANAK, DEWASA = "ANAK", "DEWASA"
CHILD_ONLY_PROGRAMMES = ("DIVERSI", "TINDAKAN_ANAK")
# Relative weights; codes missing here get weight 1, so a new seed code still appears.
ADULT_PROGRAMME_WEIGHTS = {
    "PB": 40,
    "CB": 10,
    "CMB": 8,
    "CMK": 2,
    "ASIMILASI": 15,
    "PIDANA_BERSYARAT": 10,
    "PIDANA_PENGAWASAN": 8,
    "PIDANA_KERJA_SOSIAL": 4,
}
CHILD_PROGRAMME_WEIGHTS = {"DIVERSI": 40, "TINDAKAN_ANAK": 15, "PB": 25, "ASIMILASI": 10}
NEED_WEIGHTS = {
    "KERJA": 25,
    "KETERAMPILAN": 20,
    "MODAL_USAHA": 12,
    "PENDIDIKAN": 6,
    "KEAGAMAAN": 12,
    "KONSELING": 12,
    "KESEHATAN": 5,
    "REHABILITASI_NAPZA": 10,
    "HUKUM": 4,
    "SOSIAL_KELUARGA": 8,
}
# Monthly hazards of early exits (revocation, transfer, death); the rest end by term expiry.
EARLY_EXIT_HAZARD = {"DICABUT": 0.006, "PINDAH": 0.003, "MENINGGAL": 0.0005}
MEAN_DURATION_MONTHS = 12.0
MIN_CASELOAD, MAX_CASELOAD = 850, 3000


def check_codes() -> None:
    """Fail fast when a code the generator relies on is missing from the seed lists."""
    needed = {
        "status_klien": (ACTIVE, *END_STATUSES),
        "kategori_klien": (ANAK, DEWASA),
        "jenis_program": CHILD_ONLY_PROGRAMMES,
    }
    for code_list, codes in needed.items():
        missing = set(codes) - set(codes_of(code_list))
        if missing:
            raise ValueError(f"ref_codes.csv list {code_list} lacks {sorted(missing)}")


@dataclass
class Population:
    """Everyone supervised by one Bapas at some time in the horizon (one entry per person).

    `first_month`/`last_month` are month indexes (-1 = before the horizon, len(months) = still
    active after it); a person appears in KLIEN for every month in between.
    """

    kode_bapas: str
    caseload: int
    no_register: list[str]
    nik: list[str]
    nama: list[str]
    female: np.ndarray
    birth: list[dt.date]
    anak: np.ndarray
    program: list[str]
    start_date: list[dt.date]
    planned_end: list[dt.date]
    kebutuhan: list[str]
    first_month: np.ndarray
    last_month: np.ndarray
    end_status: list[str]
    end_date: list[dt.date | None]

    def members(self, month_index: int) -> np.ndarray:
        """Indexes of the people in KLIEN for a month, in register order."""
        return np.nonzero((self.first_month <= month_index) & (self.last_month >= month_index))[0]

    def status(self, person: int, month_index: int) -> str:
        """Status at the end of a month."""
        return self.end_status[person] if self.last_month[person] == month_index else ACTIVE


def draw_caseload(seed: int, kode_bapas: str, scale: float) -> int:
    """Heavy-tailed active caseload (lognormal, clipped to 850..3,000), times `scale`."""
    rng = rng_for(seed, kode_bapas, "caseload")
    base = float(np.clip(rng.lognormal(np.log(1100.0), 0.45), MIN_CASELOAD, MAX_CASELOAD))
    return max(8, round(base * scale))


def weighted_choice(
    rng: np.random.Generator, codes: tuple[str, ...], weights: Mapping[str, float], n: int
) -> list[str]:
    """`n` codes drawn with the given relative weights (unlisted codes weigh 1)."""
    w = np.array([weights.get(c, 1.0) for c in codes], dtype=float)
    picks = rng.choice(len(codes), n, p=w / w.sum())
    return [codes[i] for i in picks]


def draw_needs(rng: np.random.Generator, n: int) -> list[str]:
    """1-3 distinct Litmas need codes per person, ';'-joined in code-list order."""
    codes = codes_of("kebutuhan")
    logw = np.log(np.array([NEED_WEIGHTS.get(c, 1.0) for c in codes]))
    keys = logw + rng.gumbel(size=(n, len(codes)))  # Gumbel top-k = weighted no-replacement
    order = np.argsort(-keys, axis=1)
    counts = rng.choice([1, 2, 3], n, p=[0.4, 0.4, 0.2])
    out = []
    for row, k in zip(order, counts, strict=True):
        out.append(";".join(codes[i] for i in sorted(row[:k])))
    return out


def simulate_population(bapas: Bapas, months: list[Month], seed: int, scale: float) -> Population:
    """Simulate one office's clients over the horizon (deterministic per seed and Bapas)."""
    kode = bapas.kode_bapas
    rng = rng_for(seed, kode, "population")
    caseload = draw_caseload(seed, kode, scale)
    horizon_start = months[0].start
    monthly_arrivals = rng.poisson(caseload / MEAN_DURATION_MONTHS, len(months))
    n_initial = caseload
    n = n_initial + int(monthly_arrivals.sum())
    anak = rng.random(n) < 0.06
    duration = np.where(anak, rng.integers(90, 365, n), rng.integers(90, 900, n))
    start_offsets = np.empty(n, dtype=np.int64)
    # Initial caseload: supervision already running, elapsed share uniform over its term.
    start_offsets[:n_initial] = -(rng.random(n_initial) * duration[:n_initial]).astype(np.int64) - 1
    pos = n_initial
    for m, count in zip(months, monthly_arrivals, strict=True):
        offset = (m.start - horizon_start).days
        start_offsets[pos : pos + count] = offset + rng.integers(0, m.days, count)
        pos += count
    order = np.argsort(start_offsets, kind="stable")
    anak, duration, start_offsets = anak[order], duration[order], start_offsets[order]
    base = np.datetime64(horizon_start, "D")
    month_starts = np.array(
        [(m.start - horizon_start).days for m in months]
        + [(months[-1].end - horizon_start).days + 1]
    )
    end_planned = start_offsets + duration
    # Early exits: exponential waiting time from max(start, horizon start).
    hazard_per_day = sum(EARLY_EXIT_HAZARD.values()) / 30.4
    early = np.maximum(start_offsets, 0) + rng.exponential(1.0 / hazard_per_day, n).astype(np.int64)
    kinds = list(EARLY_EXIT_HAZARD)
    weights = np.array(list(EARLY_EXIT_HAZARD.values()))
    exit_kind = np.array(kinds)[rng.choice(len(kinds), n, p=weights / weights.sum())]
    is_early = early < end_planned
    end_offset = np.where(is_early, early, end_planned)
    first_month = np.where(
        start_offsets < 0, -1, np.searchsorted(month_starts, start_offsets, "right") - 1
    )
    last_month = np.minimum(np.searchsorted(month_starts, end_offset, "right") - 1, len(months))
    inside = last_month < len(months)
    status_arr = np.where(is_early, exit_kind, END_STATUSES[0])
    end_status = [str(s) if ok else "" for s, ok in zip(status_arr, inside, strict=True)]
    end_dates = (base + end_offset).tolist()
    end_date: list[dt.date | None] = [
        d if ok else None for d, ok in zip(end_dates, inside, strict=True)
    ]
    start_date = (base + start_offsets).tolist()
    planned_end = (base + end_planned).tolist()
    female = np.where(anak, rng.random(n) < 0.10, rng.random(n) < 0.08)
    birth = _birth_dates(rng, anak, start_date, last_month, months)
    adult_codes = tuple(c for c in codes_of("jenis_program") if c not in CHILD_ONLY_PROGRAMMES)
    adult_prog = weighted_choice(rng, adult_codes, ADULT_PROGRAMME_WEIGHTS, n)
    child_weights = {c: CHILD_PROGRAMME_WEIGHTS.get(c, 0.2) for c in codes_of("jenis_program")}
    child_prog = weighted_choice(rng, codes_of("jenis_program"), child_weights, n)
    program = [c if a else p for a, c, p in zip(anak, child_prog, adult_prog, strict=True)]
    return Population(
        kode_bapas=kode,
        caseload=caseload,
        no_register=[f"{kode}/{s.year}/{i + 1:05d}" for i, s in enumerate(start_date)],
        nik=make_niks(rng, kode[2:4], birth, female),
        nama=person_names(rng, female),
        female=female,
        birth=birth,
        anak=anak,
        program=program,
        start_date=start_date,
        planned_end=planned_end,
        kebutuhan=draw_needs(rng, n),
        first_month=first_month,
        last_month=last_month,
        end_status=end_status,
        end_date=end_date,
    )


def _birth_dates(
    rng: np.random.Generator,
    anak: np.ndarray,
    start_date: list[dt.date],
    last_month: np.ndarray,
    months: list[Month],
) -> list[dt.date]:
    """Adults are 19+ at start; children stay under 18 up to the last month they are reported."""
    n = len(anak)
    adult_age_days = (19 + np.minimum(rng.gamma(2.0, 7.0, n), 45)) * 365.25
    child_margin = rng.integers(60, 5 * 365, n)
    out = []
    for i in range(n):
        if anak[i]:
            last_seen = months[min(int(last_month[i]), len(months) - 1)].end
            out.append(add_years(last_seen, -18) + dt.timedelta(days=int(child_margin[i])))
        else:
            out.append(start_date[i] - dt.timedelta(days=int(adult_age_days[i])))
    return out
