"""Annual empowerment programme plan (recommendation 2): targets and budgets per need."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from core.reference import codes_of
from synthetic.population import NEED_WEIGHTS
from synthetic.streams import rng_for
from synthetic.tables import ANNUAL, Report, Table

FUNDING_SHARE = {"APBN": 0.4, "APBD": 0.2, "CSR": 0.15, "SWADAYA": 0.15, "HIBAH": 0.1}


def build_plan(
    seed: int, kode_bapas: str, year: int, caseload: int, signed: dt.date, petugas: str
) -> Report:
    """A plausible plan: targets a share of the clients with each need, budgets per source."""
    rng = rng_for(seed, kode_bapas, "plan", year)
    needs = codes_of("kebutuhan")
    sources = codes_of("sumber_dana")
    weights = np.array([NEED_WEIGHTS.get(c, 1.0) for c in needs])
    # Roughly the share of clients holding each need (people hold 1-3 needs), times a target reach.
    holders = caseload * 1.8 * weights / weights.sum()
    target_klien = np.maximum(1, np.round(holders * rng.uniform(0.2, 0.6, len(needs)))).astype(int)
    target_kegiatan = np.maximum(1, np.round(target_klien / rng.uniform(8, 20, len(needs))))
    cost_per_client = rng.uniform(150_000, 600_000, len(needs))
    sasaran = Table.build(
        ANNUAL,
        "SASARAN",
        {
            "kebutuhan": list(needs),
            "target_klien": [int(v) for v in target_klien],
            "target_kegiatan": [int(v) for v in target_kegiatan],
        },
    )
    rows: dict[str, list[Any]] = {"kebutuhan": [], "sumber_dana": [], "anggaran_rp": []}
    for need, clients, cost in zip(needs, target_klien, cost_per_client, strict=True):
        for source in sources:
            share = FUNDING_SHARE.get(source, 0.05)
            # Some sources fund nothing for a need: budgets are limited (DESIGN.md §1).
            amount = 0 if rng.random() < 0.25 else round(clients * cost * share, -5)
            rows["kebutuhan"].append(need)
            rows["sumber_dana"].append(source)
            rows["anggaran_rp"].append(int(amount))
    if sum(rows["anggaran_rp"]) == 0:
        rows["anggaran_rp"][0] = 10_000_000
    identitas = Table.build(
        ANNUAL,
        "IDENTITAS",
        {
            "kode_bapas": [kode_bapas],
            "tahun": [year],
            "tanggal_laporan": [signed],
            "petugas": [petugas],
            "versi": [1],
        },
    )
    return Report(
        ANNUAL,
        kode_bapas,
        str(year),
        {
            "IDENTITAS": identitas,
            "SASARAN": sasaran,
            "ANGGARAN": Table.build(ANNUAL, "ANGGARAN", rows),
        },
    )
