"""Unit tests of the generator's pure helpers (known answers)."""

from __future__ import annotations

import datetime as dt

import pytest

from synthetic.dates import age_on, excel_serial, run_months
from synthetic.fastxlsx import column_letter
from synthetic.faults import (
    CATALOGUE,
    FAMILIES,
    PEER_MIN_CLIENTS,
    plan_faults,
    priority_order,
    slot_offers,
)
from synthetic.nik import make_nik, nik_matches, with_birth
from synthetic.style import nik_spaced, rupiah_text
from synthetic.tables import Table


@pytest.mark.parametrize(
    ("birth", "female", "expected"),
    [
        pytest.param(dt.date(1990, 3, 7), False, "3501120703900042", id="man"),
        pytest.param(dt.date(1990, 3, 7), True, "3501124703900042", id="woman day+40"),
        pytest.param(dt.date(2008, 12, 31), True, "3501127112080042", id="girl born 2008"),
    ],
)
def test_nik_encodes_sex_and_birth_date(birth, female, expected) -> None:
    nik = make_nik("35", 112, birth, female, 42)
    assert nik == expected
    assert nik_matches(nik, birth, female)
    assert not nik_matches(nik, birth, not female)


def test_nik_rejects_serial_zero_and_rewrites_birth() -> None:
    with pytest.raises(ValueError, match="serial"):
        make_nik("35", 112, dt.date(1990, 1, 1), False, 0)
    nik = make_nik("35", 112, dt.date(1990, 1, 1), False, 7)
    moved = with_birth(nik, dt.date(1991, 2, 3), True)
    assert moved == "3501124302910007" and nik_matches(moved, dt.date(1991, 2, 3), True)


@pytest.mark.parametrize(
    ("value", "comma", "expected"),
    [
        pytest.param(1_500_000, False, "Rp 1.500.000", id="rp"),
        pytest.param(1_500_000, True, "1.500.000,00", id="decimal comma"),
        pytest.param(950, False, "Rp 950", id="no thousands"),
    ],
)
def test_rupiah_text(value, comma, expected) -> None:
    assert rupiah_text(value, decimal_comma=comma) == expected


def test_small_formatters() -> None:
    assert nik_spaced("3501124703900042") == "3501 1247 0390 0042"
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]
    assert excel_serial(dt.date(2025, 1, 1)) == 45658
    assert age_on(dt.date(2007, 6, 1), dt.date(2025, 5, 31)) == 17
    assert age_on(dt.date(2007, 6, 1), dt.date(2025, 6, 1)) == 18


@pytest.mark.parametrize(
    "start",
    [
        pytest.param("2025-13", id="month 13"),
        pytest.param("2025-1", id="one digit"),
        pytest.param("Jan 2025", id="words"),
    ],
)
def test_run_months_rejects_bad_start(start) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        run_months(start, 1)


def test_run_months_crosses_years() -> None:
    labels = [m.label for m in run_months("2024-11", 3)]
    assert labels == ["2024-11", "2024-12", "2025-01"]
    assert run_months("2024-02", 1)[0].end == dt.date(2024, 2, 29)


def test_fault_plan_puts_families_first_and_one_fault_per_slot() -> None:
    order = priority_order()
    assert [k.family for k in order[: len(FAMILIES)]] == list(FAMILIES)
    slots = [("BP1", m) for m in range(4)] + [("BP2", m) for m in range(4)]
    offers = {s: set() for s in slots}
    plan = plan_faults(1, slots, [("BP1", 2025)], offers)
    placed = [(a.kode_bapas, a.period_key) for a in plan if a.kind.target == "monthly"]
    assert len(placed) == len(set(placed)) == len(slots)
    # Nothing needing history, a Griya or a second office was offered: none was placed.
    assert all(not a.kind.needs for a in plan)
    assert {a.kind.family for a in plan} >= {"completeness", "timeliness", "rejected_file"}
    assert plan == plan_faults(1, slots, [("BP1", 2025)], offers)
    assert len(CATALOGUE) == len({k.fault for k in CATALOGUE})


def test_short_national_run_covers_outliers_without_history() -> None:
    # Three months: no slot has the six months cost_x5 needs, but the month has enough clients
    # nationally for activity-cost peer groups, so activity_cost_x1000 stands in.
    slots = [(f"BP{b}", m) for b in range(40) for m in range(3)]
    offers = {s: slot_offers(s[1], True, False, 40, PEER_MIN_CLIENTS) for s in slots}
    plan = plan_faults(7, slots, [("BP0", 2025)], offers)
    outliers = [a.kind.fault for a in plan if a.kind.family == "outlier"]
    assert outliers == ["activity_cost_x1000"]
    assert {a.kind.family for a in plan} == set(FAMILIES)
    # Long runs keep cost_x5 as the family's first fault; tiny runs offer no peers.
    long_offers = {s: slot_offers(6, True, False, 40, PEER_MIN_CLIENTS) for s in slots}
    assert "cost_x5" in [a.kind.fault for a in plan_faults(7, slots, [], long_offers)]
    assert "peers" not in slot_offers(0, True, False, 4, PEER_MIN_CLIENTS - 1)


def test_table_build_enforces_contract_columns() -> None:
    with pytest.raises(ValueError, match="contract"):
        Table.build("monthly", "GRIYA_ABHIPRAYA", {"kapasitas": [1]})


def test_transferred_clients_reappear_elsewhere_next_month() -> None:
    from core.reference import bapas_by_code
    from synthetic.population import simulate_population
    from synthetic.transfers import route_transfers

    months = run_months("2025-01", 6)
    offices = [bapas_by_code()[k] for k in ("BP3501", "BP3502")]
    pops = {b.kode_bapas: simulate_population(b, months, 4, 0.3) for b in offices}
    assert route_transfers(pops, 4, len(months)) > 0
    moved = 0
    for code, pop in pops.items():
        other = pops[next(k for k in pops if k != code)]
        for person, status in enumerate(pop.end_status):
            if status != "PINDAH" or pop.nik[person] not in other.nik:
                continue
            twin = other.nik.index(pop.nik[person])
            assert other.first_month[twin] == pop.last_month[person] + 1
            assert other.no_register[twin] != pop.no_register[person]
            moved += 1
    assert moved > 0
