"""Fault catalogue and deterministic planning: which fault goes into which Bapas-period file.

Family names are the quality layer's rule families (docs/architecture.md). Each planted fault
sits alone in its file (except a late arrival, which is about the mtime only), so a finding
can be attributed to exactly one planted cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthetic.streams import rng_for

COMPLETENESS = "completeness"
TIMELINESS = "timeliness"
REJECTED = "rejected_file"
VALIDITY = "validity"
CONSISTENCY = "consistency"
CONTINUITY = "continuity"
OUTLIER = "outlier"
CROSS_BAPAS = "cross_bapas"
DUPLICATE = "duplicate"
ANNUAL_PLAN = "annual_plan"

# Requirement tags checked against the slot before a fault is placed there.
NEEDS_HISTORY = "history"  # month index >= 1 (a previous month exists)
NEEDS_LONG_HISTORY = "long_history"  # month index >= 6 (outlier baseline)
NEEDS_EXIT = "exit"  # a client ends supervision in the month
NEEDS_GRIYA = "griya"  # the Bapas runs a Griya Abhipraya that month
NEEDS_OTHER_BAPAS = "other_bapas"  # at least two Bapas are generated
NEEDS_PEERS = "peers"  # the month has enough clients nationally for activity-cost peer groups
# Last month's report of the office is accepted (no file-level fault there): copy mistakes.
NEEDS_PREVIOUS = "previous"
# National clients in a month from which its activities (~2.5% of clients, 10-35% reach in
# groups of ~12) form peer groups big enough for the cross-sectional cost rule: ~50 activities.
PEER_MIN_CLIENTS = 2_000


@dataclass(frozen=True)
class FaultKind:
    """One specific fault: family, name, where it goes and what the slot must offer."""

    family: str
    fault: str
    target: str  # "monthly" or "annual_plan"
    needs: tuple[str, ...] = ()
    row_level: bool = True


CATALOGUE: tuple[FaultKind, ...] = (
    FaultKind(COMPLETENESS, "file_missing", "monthly", row_level=False),
    FaultKind(TIMELINESS, "late_arrival", "monthly", row_level=False),
    FaultKind(REJECTED, "truncated_xlsx", "monthly", row_level=False),
    FaultKind(REJECTED, "encrypted_workbook", "monthly", row_level=False),
    FaultKind(REJECTED, "malformed_sheet_xml", "monthly", row_level=False),
    FaultKind(REJECTED, "zip_bomb", "monthly", row_level=False),
    FaultKind(REJECTED, "unknown_bapas", "monthly", row_level=False),
    FaultKind(REJECTED, "bad_period", "monthly", row_level=False),
    FaultKind(REJECTED, "missing_sheet", "monthly", row_level=False),
    FaultKind(REJECTED, "missing_column", "monthly", row_level=False),
    FaultKind(VALIDITY, "bad_code", "monthly"),
    FaultKind(VALIDITY, "out_of_range", "monthly"),
    FaultKind(VALIDITY, "activity_date_outside_month", "monthly"),
    FaultKind(VALIDITY, "nik_bad_length", "monthly"),
    FaultKind(VALIDITY, "nik_bad_date", "monthly"),
    FaultKind(CONSISTENCY, "participant_not_registered", "monthly"),
    FaultKind(CONSISTENCY, "activity_unregistered_pokmas", "monthly"),
    FaultKind(CONSISTENCY, "activity_expired_pks", "monthly"),
    FaultKind(CONSISTENCY, "jumlah_peserta_mismatch", "monthly"),
    FaultKind(CONSISTENCY, "selesai_without_hadir", "monthly"),
    FaultKind(CONSISTENCY, "anak_aged_18_plus", "monthly"),
    FaultKind(CONSISTENCY, "diversi_for_dewasa", "monthly"),
    FaultKind(CONSISTENCY, "griya_flows_mismatch", "monthly", (NEEDS_GRIYA,)),
    FaultKind(CONSISTENCY, "nik_sex_mismatch", "monthly"),
    FaultKind(CONSISTENCY, "nik_birthdate_mismatch", "monthly"),
    FaultKind(CONSISTENCY, "tanggal_status_missing", "monthly", (NEEDS_EXIT,)),
    FaultKind(CONSISTENCY, "wajib_lapor_hadir_gt_jadwal", "monthly"),
    # Clerk mistakes named by their cause (synthetic/plant_clerk.py, mistakes.yaml).
    FaultKind(CONSISTENCY, "child_reported_as_dewasa", "monthly"),
    FaultKind(CONSISTENCY, "start_date_as_birth_date", "monthly"),
    FaultKind(CONSISTENCY, "cost_in_thousands", "monthly"),
    FaultKind(CONSISTENCY, "total_row_in_kegiatan", "monthly"),
    FaultKind(CONSISTENCY, "status_not_updated", "monthly", (NEEDS_EXIT,)),
    FaultKind(CONSISTENCY, "total_row_in_klien", "monthly"),
    FaultKind(CONSISTENCY, "status_date_before_start", "monthly", (NEEDS_EXIT,)),
    FaultKind(CONSISTENCY, "planned_end_before_start", "monthly"),
    FaultKind(CONSISTENCY, "pks_dates_swapped", "monthly"),
    FaultKind(CONTINUITY, "client_missing_without_end_status", "monthly", (NEEDS_HISTORY,)),
    FaultKind(CONTINUITY, "ended_client_reported_active", "monthly", (NEEDS_PREVIOUS,)),
    FaultKind(OUTLIER, "cost_x5", "monthly", (NEEDS_LONG_HISTORY,)),
    FaultKind(OUTLIER, "activity_cost_x1000", "monthly", (NEEDS_PEERS,)),
    FaultKind(CROSS_BAPAS, "same_nik_two_bapas", "monthly", (NEEDS_OTHER_BAPAS,)),
    FaultKind(CROSS_BAPAS, "pokmas_of_other_bapas", "monthly", (NEEDS_OTHER_BAPAS,)),
    FaultKind(DUPLICATE, "duplicate_no_register", "monthly"),
    FaultKind(DUPLICATE, "duplicate_activity_row", "monthly"),
    FaultKind(DUPLICATE, "same_client_two_registers", "monthly"),
    FaultKind(DUPLICATE, "copy_of_last_month", "monthly", (NEEDS_PREVIOUS,)),
    FaultKind(ANNUAL_PLAN, "plan_missing", "annual_plan", row_level=False),
    FaultKind(ANNUAL_PLAN, "target_above_3x_caseload", "annual_plan"),
    FaultKind(ANNUAL_PLAN, "budget_all_zero", "annual_plan"),
)
FAMILIES = tuple(dict.fromkeys(k.family for k in CATALOGUE))
# Faults whose file is followed by a corrected version (versi 2) a few days later.
RESUBMITTED_FAULTS = ("participant_not_registered", "bad_code")


def kind_of(fault: str) -> FaultKind:
    """The catalogue entry of a fault name."""
    for kind in CATALOGUE:
        if kind.fault == fault:
            return kind
    raise KeyError(f"unknown fault {fault!r}")


@dataclass
class Assignment:
    """A fault placed in one slot (Bapas + month index, or Bapas + year)."""

    kind: FaultKind
    kode_bapas: str
    period_key: int  # month index for monthly faults, the year for annual-plan faults
    resubmit: bool = False
    params: dict[str, Any] = field(default_factory=dict)


def priority_order(only: frozenset[str] | None = None) -> list[FaultKind]:
    """One fault of every family first, then the remaining specific faults (`only`: a subset)."""
    firsts: list[FaultKind] = []
    rest: list[FaultKind] = []
    seen: set[str] = set()
    for kind in CATALOGUE:
        if only is not None and kind.fault not in only:
            continue
        (rest if kind.family in seen else firsts).append(kind)
        seen.add(kind.family)
    return firsts + rest


def plan_faults(
    seed: int,
    monthly_slots: list[tuple[str, int]],
    annual_slots: list[tuple[str, int]],
    offers: dict[tuple[str, int], set[str]],
    only: frozenset[str] | None = None,
) -> list[Assignment]:
    """Spread faults over distinct slots, deterministically; skip faults with no fitting slot.

    `offers` tells which requirement tags a monthly slot satisfies. Big runs get each fault
    more than once (one extra round per 300 monthly files). `only` restricts the plan to the
    named faults (tests that measure a few mistakes in a small run).
    """
    rng = rng_for(seed, "faults")
    free_monthly = [monthly_slots[i] for i in rng.permutation(len(monthly_slots))]
    free_annual = [annual_slots[i] for i in rng.permutation(len(annual_slots))]
    rounds = 1 + len(monthly_slots) // 300
    out: list[Assignment] = []

    def clashes(kind: FaultKind, slot: tuple[str, int]) -> bool:
        """A copy mistake needs last month accepted; a file-level fault must not break that."""
        if kind.target != "monthly":
            return False
        taken = {(a.kode_bapas, a.period_key): a.kind for a in out if a.kind.target == "monthly"}
        before, after = taken.get((slot[0], slot[1] - 1)), taken.get((slot[0], slot[1] + 1))
        if NEEDS_PREVIOUS in kind.needs and before is not None and not before.row_level:
            return True
        return not kind.row_level and after is not None and NEEDS_PREVIOUS in after.needs

    def place(kind: FaultKind) -> bool:
        pool = free_annual if kind.target == "annual_plan" else free_monthly
        for pos, slot in enumerate(pool):
            fits = all(tag in offers.get(slot, set()) for tag in kind.needs)
            if fits and not clashes(kind, slot):
                out.append(Assignment(kind, slot[0], slot[1]))
                del pool[pos]
                return True
        return False

    for _ in range(rounds):
        placed: set[str] = set()
        covered: set[str] = set()
        for kind in priority_order(only):
            if kind.fault in placed:
                continue
            tries = [kind]
            if kind.family not in covered and only is None:
                # Family coverage first: when the first fault of a family finds no slot (e.g.
                # cost_x5 in a short run), another fault of the same family stands in.
                covered.add(kind.family)
                tries += [k for k in CATALOGUE if k.family == kind.family and k is not kind]
            for candidate in tries:
                if candidate.fault not in placed and place(candidate):
                    placed.add(candidate.fault)
                    break
    for fault in RESUBMITTED_FAULTS:
        for assignment in out:
            if assignment.kind.fault == fault:
                assignment.resubmit = True
                break
    return out


def slot_offers(
    month_index: int, has_exit: bool, runs_griya: bool, n_bapas: int, national_clients: int = 0
) -> set[str]:
    """Requirement tags one monthly slot satisfies (`national_clients`: all offices' KLIEN rows)."""
    tags: set[str] = set()
    if month_index >= 1:
        tags.update((NEEDS_HISTORY, NEEDS_PREVIOUS))
    if month_index >= 6:
        tags.add(NEEDS_LONG_HISTORY)
    if has_exit:
        tags.add(NEEDS_EXIT)
    if runs_griya:
        tags.add(NEEDS_GRIYA)
    if n_bapas >= 2:
        tags.add(NEEDS_OTHER_BAPAS)
    if national_clients >= PEER_MIN_CLIENTS:
        tags.add(NEEDS_PEERS)
    return tags


def pick_index(rng: np.random.Generator, candidates: list[int]) -> int:
    """One of the candidate row indexes (ValueError when there is none)."""
    if not candidates:
        raise ValueError("no row fits this fault")
    return int(candidates[int(rng.integers(len(candidates)))])
