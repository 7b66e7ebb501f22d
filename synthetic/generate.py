"""Orchestrate a national run: populations, transfers, fault plan, per-Bapas workers, manifest."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from core.reference import Bapas, active_bapas
from synthetic import pokmas, population
from synthetic.dates import Month, run_months
from synthetic.faults import (
    CATALOGUE,
    CROSS_BAPAS,
    Assignment,
    plan_faults,
    slot_offers,
)
from synthetic.jobs import BapasJob, BapasOutcome
from synthetic.population import Population, simulate_population
from synthetic.transfers import cross_bapas_params, route_transfers
from synthetic.worker import run_bapas

logger = logging.getLogger(__name__)

MANIFEST_NAME = "_manifest.json"
T = TypeVar("T")
FAULT_MODES = ("default", "none")
FILE_LEVEL_FAMILIES = ("completeness", "rejected_file")


@dataclass(frozen=True)
class GenerateResult:
    """Summary of a run (the manifest holds the details)."""

    out: Path
    manifest_path: Path
    bapas: int
    months: int
    files: int
    rows: dict[str, int]
    faults: int
    messy: int
    seconds: float
    counts: dict[str, Any] = field(default_factory=dict)


def select_bapas(months: list[Month], limit: int | None) -> list[Bapas]:
    """Offices active in any generated month, by code; `limit` keeps the first N."""
    offices = sorted(active_bapas(months[0].start, months[-1].end), key=lambda b: b.kode_bapas)
    if not offices:
        raise ValueError(
            f"no Bapas is active between {months[0].label} and {months[-1].label} (ref_bapas.csv)"
        )
    if limit is not None:
        if limit < 1:
            raise ValueError(f"bapas must be at least 1, got {limit}")
        offices = offices[:limit]
    return offices


def _prepare_out(out: Path, overwrite: bool) -> None:
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{out} is not empty; choose an empty folder or overwrite")
        if not (out / MANIFEST_NAME).exists():
            raise FileExistsError(f"{out} holds files the generator did not write; not deleting")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def _plan(
    seed: int,
    offices: list[Bapas],
    months: list[Month],
    pops: dict[str, Population],
    active: dict[str, list[int]],
    years: list[int],
    only: frozenset[str] | None = None,
) -> dict[str, list[Assignment]]:
    monthly_slots, offers = [], {}
    national = [
        sum(len(pops[b.kode_bapas].members(m)) for b in offices if m in active[b.kode_bapas])
        for m in range(len(months))
    ]
    for b in offices:
        pop = pops[b.kode_bapas]
        for m in active[b.kode_bapas]:
            slot = (b.kode_bapas, m)
            monthly_slots.append(slot)
            has_exit = bool((pop.last_month == m).any())
            griya = b.runs_griya(months[m].end)
            offers[slot] = slot_offers(m, has_exit, griya, len(offices), national[m])
    annual_slots = [(b.kode_bapas, y) for b in offices for y in years]
    assignments = plan_faults(seed, monthly_slots, annual_slots, offers, only)
    file_level = {
        (a.kode_bapas, a.period_key) for a in assignments if a.kind.family in FILE_LEVEL_FAMILIES
    }
    by_bapas: dict[str, list[Assignment]] = {b.kode_bapas: [] for b in offices}
    for a in assignments:
        if a.kind.family == CROSS_BAPAS:
            # The twin must sit in a file that exists and is accepted that month.
            avoid = {k for k, m in file_level if m == a.period_key}
            avoid |= {k for k, months_on in active.items() if a.period_key not in months_on}
            try:
                if a.kind.fault == "pokmas_of_other_bapas":
                    a.params = other_pokmas_params(offices, months, pops, seed, a, avoid)
                else:
                    a.params = cross_bapas_params(pops, seed, a.kode_bapas, a.period_key, avoid)
            except ValueError:
                logger.warning("no client fits cross_bapas at %s/%s", a.kode_bapas, a.period_key)
                continue
        by_bapas[a.kode_bapas].append(a)
    return by_bapas


def generate(
    out: Path,
    start: str,
    months: int,
    seed: int,
    bapas: int | None = None,
    faults: str = "default",
    scale: float = 1.0,
    messy_share: float = 0.15,
    workers: int | None = None,
    overwrite: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Write a national (or `bapas`-limited) set of submissions and `_manifest.json` to `out`."""
    began = time.perf_counter()
    only = fault_subset(faults)
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    population.check_codes()
    pokmas.check_codes()
    month_list = run_months(start, months)
    offices = select_bapas(month_list, bapas)
    _prepare_out(out, overwrite)
    active = {
        b.kode_bapas: [m.index for m in month_list if b.is_active(m.start, m.end)] for b in offices
    }
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    with _executor(workers) as pool:
        simulated = _map(pool, simulate_population, [(b, month_list, seed, scale) for b in offices])
        pops = {b.kode_bapas: p for b, p in zip(offices, simulated, strict=True)}
        transfers = route_transfers(pops, seed, len(month_list))
        years = sorted({m.year for m in month_list})
        plan = (
            {b.kode_bapas: [] for b in offices}
            if faults == "none"
            else _plan(seed, offices, month_list, pops, active, years, only)
        )
        jobs = [
            BapasJob(
                b,
                month_list,
                active[b.kode_bapas],
                years,
                seed,
                out,
                pops[b.kode_bapas],
                plan[b.kode_bapas],
                messy_share,
            )
            for b in offices
        ]
        # Biggest offices first so the workers finish together; outcomes are re-sorted by code.
        jobs.sort(key=lambda j: (-len(j.population.nik), j.bapas.kode_bapas))
        outcomes = _map(pool, run_bapas, [(j,) for j in jobs], on_progress)
        outcomes.sort(key=lambda o: o.kode_bapas)
    manifest = _manifest(seed, start, months, faults, scale, offices, outcomes, pops, transfers)
    manifest_path = out / MANIFEST_NAME
    manifest_path.write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    # The manifest's own mtime is fixed too (latest arrival), so reruns are identical on disk.
    latest = max(
        (dt.datetime.fromisoformat(f["received_at"]) for f in manifest["files"]),
        default=dt.datetime(2000, 1, 1),
    )
    stamp = latest.replace(tzinfo=dt.UTC).timestamp()
    os.utime(manifest_path, (stamp, stamp))
    counts = manifest["counts"]
    logger.info(
        "generated %d files for %d Bapas x %d months in %.1f s (%d faults, %d messy)",
        counts["files"],
        len(offices),
        months,
        time.perf_counter() - began,
        counts["faults"],
        counts["messy"],
    )
    return GenerateResult(
        out=out,
        manifest_path=manifest_path,
        bapas=len(offices),
        months=months,
        files=counts["files"],
        rows=counts["rows"],
        faults=len(manifest["faults"]),
        messy=len(manifest["messy"]),
        seconds=time.perf_counter() - began,
        counts=counts,
    )


def other_pokmas_params(
    offices: list[Bapas],
    months: list[Month],
    pops: dict[str, Population],
    seed: int,
    a: Assignment,
    avoid: set[str],
) -> dict[str, Any]:
    """A partner group of another office (first group, same code and PKS number) to copy in."""
    others = [b for b in offices if b.kode_bapas != a.kode_bapas and b.kode_bapas not in avoid]
    if not others:
        raise ValueError("no other office reports that month")
    other = others[a.period_key % len(others)]
    group = pokmas.build_groups(other, months, seed, pops[other.kode_bapas].caseload)[0]
    return {"group": group, "other_bapas": other.kode_bapas}


def fault_subset(faults: str) -> frozenset[str] | None:
    """None for `default`/`none`; else the comma-separated fault names (each must exist)."""
    if faults in FAULT_MODES:
        return None
    names = frozenset(n.strip() for n in faults.split(",") if n.strip())
    known = {k.fault for k in CATALOGUE}
    if not names or names - known:
        raise ValueError(
            f"faults must be one of {', '.join(FAULT_MODES)} or a comma-separated list of"
            f" fault names, got {faults!r}"
        )
    return names


def _executor(workers: int) -> AbstractContextManager[ProcessPoolExecutor | None]:
    """A process pool for `workers` > 1, else nothing (everything runs in this process)."""
    return ProcessPoolExecutor(max_workers=workers) if workers > 1 else nullcontext()


def _map(
    pool: ProcessPoolExecutor | None,
    fn: Callable[..., T],
    args: list[tuple[Any, ...]],
    on_progress: Callable[[str], None] | None = None,
) -> list[T]:
    """fn(*a) for each a, in input order; reports progress per finished item."""
    if pool is None:
        results = []
        for a in args:
            results.append(fn(*a))
            if on_progress:
                on_progress(str(getattr(results[-1], "kode_bapas", "")))
        return results
    futures = [pool.submit(fn, *a) for a in args]
    if on_progress:
        for future in as_completed(futures):
            on_progress(str(getattr(future.result(), "kode_bapas", "")))
    return [f.result() for f in futures]


def _manifest(
    seed: int,
    start: str,
    months: int,
    faults: str,
    scale: float,
    offices: list[Bapas],
    outcomes: list[BapasOutcome],
    pops: dict[str, Population],
    transfers: int,
) -> dict[str, Any]:
    files = [f for o in outcomes for f in o.files]
    rows: dict[str, int] = {}
    for o in outcomes:
        for key, count in o.rows.items():
            rows[key] = rows.get(key, 0) + count
    formats: dict[str, int] = {}
    for f in files:
        formats[f["format"]] = formats.get(f["format"], 0) + 1
    fault_list = sorted(
        (f for o in outcomes for f in o.faults), key=lambda f: (f["periode"], f["kode_bapas"])
    )
    families: dict[str, int] = {}
    for f in fault_list:
        families[f["family"]] = families.get(f["family"], 0) + 1
    return {
        "seed": seed,
        "start": start,
        "months": months,
        "faults_mode": faults,
        "scale": scale,
        "bapas": [b.kode_bapas for b in offices],
        "counts": {
            "bapas": len(offices),
            "files": len(files),
            "formats": dict(sorted(formats.items())),
            "rows": dict(sorted(rows.items())),
            "clients": sum(len(p.nik) for p in pops.values()),
            "transfers": transfers,
            "faults": len(fault_list),
            "fault_families": dict(sorted(families.items())),
            "messy": sum(len(o.messy) for o in outcomes),
        },
        "faults": fault_list,
        "resubmissions": [r for o in outcomes for r in o.resubmissions],
        "messy": [m for o in outcomes for m in o.messy],
        "files": files,
    }
