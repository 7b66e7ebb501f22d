"""Griya Abhipraya (halfway house) monthly flows that always add up in clean data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.tables import MONTHLY, Table


@dataclass
class GriyaState:
    """Capacity and current residents of one house, carried from month to month."""

    kapasitas: int
    residents: int | None = None


def griya_month(rng: np.random.Generator, state: GriyaState, opened_before: bool) -> Table:
    """One month's row: awal = last month's akhir, awal + masuk - keluar = akhir <= kapasitas."""
    if state.residents is None:
        share = rng.uniform(0.3, 0.8) if opened_before else 0.0
        state.residents = int(state.kapasitas * share)
    awal = state.residents
    keluar = int(rng.binomial(awal, 0.3)) if awal else 0
    masuk = int(min(rng.poisson(max(1.0, state.kapasitas * 0.2)), state.kapasitas - awal + keluar))
    akhir = awal + masuk - keluar
    state.residents = akhir
    return Table.build(
        MONTHLY,
        "GRIYA_ABHIPRAYA",
        {
            "kapasitas": [state.kapasitas],
            "penghuni_awal": [awal],
            "masuk": [masuk],
            "keluar": [keluar],
            "penghuni_akhir": [akhir],
        },
    )
