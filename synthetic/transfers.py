"""Cross-Bapas links: transferred clients reappearing elsewhere, and the cross_bapas fault pick."""

from __future__ import annotations

from typing import Any

import numpy as np

from synthetic.population import Population
from synthetic.streams import rng_for

TRANSFERRED = "PINDAH"


def route_transfers(populations: dict[str, Population], seed: int, n_months: int) -> int:
    """Give some PINDAH clients' identity to a new arrival at another Bapas the next month.

    The new office registers them under its own no_register with the same NIK; they are
    never active in two offices in one month. Only adults move, so age rules stay intact.
    Returns the number of transfers made.
    """
    codes = sorted(populations)
    if len(codes) < 2:
        return 0
    rng = rng_for(seed, "transfers")
    taken: dict[str, set[int]] = {c: set() for c in codes}
    moved = 0
    for code in codes:
        source = populations[code]
        for person in range(len(source.nik)):
            month = int(source.last_month[person])
            if source.end_status[person] != TRANSFERRED or month >= n_months - 1:
                continue
            if source.anak[person] or rng.random() >= 0.5:
                continue
            target_code = codes[int(rng.integers(len(codes) - 1))]
            if target_code == code:
                target_code = codes[-1]
            target = populations[target_code]
            slots = [
                int(i)
                for i in np.nonzero((target.first_month == month + 1) & ~target.anak)[0]
                if int(i) not in taken[target_code]
            ]
            if not slots:
                continue
            slot = slots[int(rng.integers(len(slots)))]
            taken[target_code].add(slot)
            target.nik[slot] = source.nik[person]
            target.nama[slot] = source.nama[person]
            target.female[slot] = source.female[person]
            target.birth[slot] = source.birth[person]
            moved += 1
    return moved


def cross_bapas_params(
    populations: dict[str, Population],
    seed: int,
    kode_bapas: str,
    month_index: int,
    avoid: set[str],
) -> dict[str, Any]:
    """Pick a client of `kode_bapas` and one active at another office in the same month."""
    rng = rng_for(seed, "cross_bapas", kode_bapas, month_index)
    others = [c for c in sorted(populations) if c != kode_bapas and c not in avoid] or [
        c for c in sorted(populations) if c != kode_bapas
    ]
    other = others[int(rng.integers(len(others)))]
    here, there = populations[kode_bapas], populations[other]
    mine = _active_adults(here, month_index)
    theirs = _active_adults(there, month_index)
    person = mine[int(rng.integers(len(mine)))]
    twin = theirs[int(rng.integers(len(theirs)))]
    return {
        "no_register": here.no_register[person],
        "nik": there.nik[twin],
        "nama": there.nama[twin],
        "female": bool(there.female[twin]),
        "birth": there.birth[twin],
        "other_bapas": other,
        "other_no_register": there.no_register[twin],
    }


def _active_adults(pop: Population, month_index: int) -> list[int]:
    """Adults in KLIEN and still AKTIF at the end of the month."""
    return [
        int(i)
        for i in pop.members(month_index)
        if not pop.anak[i] and pop.last_month[i] > month_index
    ]
