"""Inputs and outputs of one per-Bapas worker call, and the per-office constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.reference import Bapas
from synthetic.dates import Month
from synthetic.faults import Assignment
from synthetic.griya import GriyaState
from synthetic.monthly import BapasContext
from synthetic.names import person_names
from synthetic.pokmas import build_groups
from synthetic.population import Population
from synthetic.streams import rng_for


@dataclass
class BapasJob:
    """Inputs of one worker call (picklable)."""

    bapas: Bapas
    months: list[Month]
    active_months: list[int]
    years: list[int]
    seed: int
    out: Path
    population: Population
    assignments: list[Assignment]
    messy_share: float


@dataclass
class BapasOutcome:
    """What one Bapas produced, as manifest-ready records."""

    kode_bapas: str
    files: list[dict[str, Any]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    messy: list[dict[str, Any]] = field(default_factory=list)
    resubmissions: list[dict[str, Any]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def make_context(job: BapasJob) -> BapasContext:
    """Per-office constants: Pokmas, reach, cost level, operator name, Griya capacity."""
    kode = job.bapas.kode_bapas
    rng = rng_for(job.seed, kode, "context")
    return BapasContext(
        bapas=job.bapas,
        months=job.months,
        seed=job.seed,
        population=job.population,
        groups=build_groups(job.bapas, job.months, job.seed, job.population.caseload),
        reach=float(rng.uniform(0.10, 0.35)),
        cost_level=float(rng.lognormal(0.0, 0.25)),
        petugas=person_names(rng, np.array([rng.random() < 0.4]))[0],
        griya=GriyaState(kapasitas=int(rng.integers(10, 41))),
    )
