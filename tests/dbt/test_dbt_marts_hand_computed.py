"""The marts against figures computed by hand from tests/dbt/fixture_data.py.

Every expected number is a literal with its arithmetic in a comment, so an analyst can check the
indicator definitions (docs/warehouse.md) against the data without running anything.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from tests.dbt.conftest import DbtBuild

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt")]


def one(build: DbtBuild, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    with duckdb.connect(str(build.warehouse), read_only=True) as con:
        rows = con.execute(sql, params or []).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def grain(table: str, columns: str, extra: str = "") -> str:
    # Table and column names are test constants, never data.
    return (
        f"select {columns} from marts.{table} "
        f"where geo_level = ? and geo_code = ? and period_grain = ? and period = ? {extra}"
    )


def test_reach(dbt_build: DbtBuild) -> None:
    sql = grain("mart_client_reach", "active_clients, reached_clients, reach_rate")
    # January: BP1101 A1 A2 A3 (ended 20 Jan, still active) A4 (revoked 15 Jan) + BP1102 B1-B3
    # + BP1201 C1 C2 = 9 active; attended an activity: A1 A2 A3 B1 B2 C1 = 6 -> 6/9.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-01"]) == (
        9,
        6,
        pytest.approx(6 / 9),
    )
    # February: A1 A2 A5 (A3's stale row is not active) + C1 C2 C3 = 6; reached A1 A2 A5 C2 C3 = 5.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-02"]) == (
        6,
        5,
        pytest.approx(5 / 6),
    )
    # Q1 counts distinct clients, not 9 + 6: A1-A5, B1-B3, C1-C3 = 11; reached 9 (not A4, B3).
    assert one(dbt_build, sql, ["national", "ID", "quarter", "2025-Q1"]) == (
        11,
        9,
        pytest.approx(9 / 11),
    )
    # Kanwil KW11 in January: BP1101 (4) + BP1102 (3) = 7 active; reached A1 A2 A3 B1 B2 = 5.
    assert one(dbt_build, sql, ["kanwil", "KW11", "month", "2025-01"]) == (
        7,
        5,
        pytest.approx(5 / 7),
    )


def test_need_coverage(dbt_build: DbtBuild) -> None:
    sql = grain(
        "mart_need_coverage", "clients_with_need, clients_need_addressed, coverage_rate",
        "and need_code = ?",
    )  # fmt: skip
    # January KERJA: A1 A2 B1 C1 have the need; no January activity targets KERJA -> 0/4.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-01", "KERJA"]) == (4, 0, 0.0)
    # February KERJA: A1 A2 C1 C3; attended KERJA activities: A1 A2 (BP1101 K1), C3 (BP1201 K1);
    # A5 and C2 attended KERJA activities without the need, which counts as reach only -> 3/4.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-02", "KERJA"]) == (4, 3, 0.75)
    # Q1 KERJA: A1 A2 B1 C1 C3 = 5 with the need, 3 addressed -> 3/5.
    assert one(dbt_build, sql, ["national", "ID", "quarter", "2025-Q1", "KERJA"]) == (5, 3, 0.6)
    # January KETERAMPILAN at BP1101: A1 only (from the resubmitted v2), addressed by K1 -> 1/1.
    assert one(dbt_build, sql, ["bapas", "BP1101", "month", "2025-01", "KETERAMPILAN"]) == (
        1,
        1,
        1.0,
    )


def test_pokmas_performance(dbt_build: DbtBuild) -> None:
    cols = (
        "registered_groups, active_groups, groups_agreement_valid, groups_agreement_expired, "
        "activities, participations, attended_participations, completed_participations, "
        "attendance_rate, completion_rate, total_cost_idr, cost_per_participant_idr, "
        "bapas_months_reported, bapas_months_meeting_minimum"
    )
    sql = grain("mart_pokmas_performance", cols)
    # January, national: groups 1101-PK01, 1101-PK02, 1102-PK01, 1201-PK01, 1201-PK02 = 5;
    # active 4 (1201-PK02 TIDAK_AKTIF); PKS valid 4, expired 1 (1102-PK01 ended 2024-12-31).
    # Activities 4; participant rows 2 + 2 + 2 + 1 = 7; attended 7 - 1 (A1 absent in K2) = 6;
    # completed A1(K1) A3 B1 B2 C1 = 5 -> attendance 6/7, completion 5/6.
    # Cost 3,000,000 + 1,000,000 + 500,000 + 4,000,000 = 8,500,000; per attended = 8.5M / 6.
    # Two-group minimum: only BP1101 (BP1102 has one group, BP1201's PK02 is inactive) -> 1 of 3.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-01"]) == (
        5, 4, 4, 1, 4, 7, 6, 5, pytest.approx(6 / 7), pytest.approx(5 / 6),
        8_500_000, pytest.approx(8_500_000 / 6), 3, 1,
    )  # fmt: skip
    # Q1: 5 Bapas-months reported (BP1102 February missing); meeting the minimum: BP1101 x2 and
    # BP1201 February (PK02 became AKTIF) = 3.
    row = one(dbt_build, grain("mart_pokmas_performance", "bapas_months_reported, "
              "bapas_months_meeting_minimum, minimum_groups_compliance_rate"),
              ["national", "ID", "quarter", "2025-Q1"])  # fmt: skip
    assert row == (5, 3, 0.6)
    # Group level: BP1101-PK02 in Q1 ran K1 (Jan, 2 rows, both attended, 1 completed) and K1
    # (Feb, 3 rows attended, 2 completed): completion 3/5, cost 5,000,000 / 5 attended.
    row = one(dbt_build, grain("mart_pokmas_performance", "activities, completion_rate, "
              "cost_per_participant_idr, bapas_months_reported"),
              ["pokmas", "BP1101-PK02", "quarter", "2025-Q1"])  # fmt: skip
    assert row == (2, 0.6, 1_000_000.0, None)


def test_funding_mix(dbt_build: DbtBuild) -> None:
    sql = grain("mart_funding_mix", "cost_idr, cost_share, company_partner_groups",
                "and funding_source = ?")  # fmt: skip
    # January: CSR 3,000,000 of 8,500,000 (the superseded v1's 9,999,999 APBN is gone).
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-01", "CSR"]) == (
        3_000_000, pytest.approx(3 / 8.5), 1,
    )  # fmt: skip
    # Q1: CSR 3,000,000 + 2,000,000 = 5,000,000 of 8,500,000 + 4,000,000 = 12,500,000 -> 0.4.
    assert one(dbt_build, sql, ["national", "ID", "quarter", "2025-Q1", "CSR"]) == (
        5_000_000, pytest.approx(0.4), 1,
    )  # fmt: skip
    # APBD in Q1 at KW12: 4,000,000 (Jan) + 1,500,000 (Feb) of 6,000,000 (+ HIBAH 500,000).
    row = one(dbt_build, sql, ["kanwil", "KW12", "quarter", "2025-Q1", "APBD"])
    assert row[:2] == (5_500_000, pytest.approx(5.5 / 6))


def test_plan_realisation(dbt_build: DbtBuild) -> None:
    sql = grain(
        "mart_plan_realisation",
        "target_clients, realised_clients, client_realisation_rate, target_activities, "
        "realised_activities, planned_budget_idr, realised_cost_idr, budget_realisation_rate",
        "and need_code = ?",
    )
    # BP1101 KERJA: target 10 clients / 4 activities / 10,000,000; February K1 reached A1 A2 A5
    # (3 -> 0.3), 1 activity, cost 2,000,000 -> 0.2.
    assert one(dbt_build, sql, ["bapas", "BP1101", "year", "2025", "KERJA"]) == (
        10, 3, 0.3, 4, 1, 10_000_000, 2_000_000, 0.2,
    )  # fmt: skip
    # National KERJA adds BP1201's February K1 (C3 and C2 attended, 1,500,000) with no plan.
    assert one(dbt_build, sql, ["national", "ID", "year", "2025", "KERJA"]) == (
        10, 5, 0.5, 4, 2, 10_000_000, 3_500_000, 0.35,
    )  # fmt: skip


def test_griya_abhipraya(dbt_build: DbtBuild) -> None:
    sql = grain(
        "mart_griya_abhipraya",
        "houses_reporting, capacity_bed_months, resident_months, occupancy_rate, "
        "activities_at_house, clients_served_at_house",
    )
    # January: only BP1101 reports (10 beds, 5 residents) -> 0.5; K1 held there, A1 A2 served.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-01"]) == (1, 10, 5, 0.5, 1, 2)
    # Q1: beds 10 + 10 + 8 = 28, residents 5 + 6 + 4 = 15 -> 15/28; activities BP1101 K1 (Jan)
    # and BP1201 K1 (Feb); clients A1 A2 C3 C2.
    assert one(dbt_build, sql, ["national", "ID", "quarter", "2025-Q1"]) == (
        2, 28, 15, pytest.approx(15 / 28), 2, 4,
    )  # fmt: skip


def test_supervision_outcomes(dbt_build: DbtBuild) -> None:
    sql = grain(
        "mart_supervision_outcomes",
        "clients, checkins_scheduled, checkins_attended, revoked_clients, new_offence_clients",
        "and participation_group = ?",
    )
    # January participants A1 A2 A3 B1 B2 C1: scheduled 4+4+2+4+4+2 = 20, attended 4+3+2+4+4+2 = 19.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-01", "participant"]) == (
        6, 20, 19, 0, 0,
    )  # fmt: skip
    # Non-participants A4 B3 C2: scheduled 4+4+2 = 10, attended 1+2+1 = 4; A4 revoked, new offence.
    assert one(dbt_build, sql, ["national", "ID", "month", "2025-01", "non_participant"]) == (
        3, 10, 4, 1, 1,
    )  # fmt: skip


def test_submission_compliance(dbt_build: DbtBuild) -> None:
    sql = grain(
        "mart_submission_compliance",
        "expected_reports, received_reports, on_time_reports, late_reports, missing_reports, "
        "resubmitted_reports, reporting_rate, on_time_rate, mean_quality_score",
        "and report_kind = ?",
    )
    # Q1 monthly: 3 Bapas x 2 months = 6 owed; received 5 (BP1102 February missing); on time
    # BP1101 Jan+Feb, BP1201 Jan = 3; late BP1102 Jan, BP1201 Feb = 2; BP1101 January was
    # resubmitted; quality (90 + 80 + 70 + 100 + 60) / 5 = 80.
    assert one(dbt_build, sql, ["national", "ID", "quarter", "2025-Q1", "monthly"]) == (
        6, 5, 3, 2, 1, 1, pytest.approx(5 / 6), 0.5, 80.0,
    )  # fmt: skip
    # KW11 February: BP1101 on time, BP1102 missing -> 1/2 received, 1/2 on time.
    row = one(dbt_build, sql, ["kanwil", "KW11", "month", "2025-02", "monthly"])
    assert row[:3] == (2, 1, 1) and row[6:8] == (0.5, 0.5)
    # Annual plans exist at the year grain only: 3 owed, BP1101 on time, BP1201 rejected, BP1102
    # missing -> received 2/3, on time 1/3.
    row = one(dbt_build, sql, ["national", "ID", "year", "2025", "annual_plan"])
    assert row[:5] == (3, 2, 1, 0, 1)
    # The definition changed per issue 13: a report whose only file was rejected is received but
    # not reported (DHIS2: an accepted version must exist), so the reporting rate is 1/3, not
    # the 2/3 the old received/expected gave; the digest and `lipas check` say the same.
    assert row[6] == pytest.approx(1 / 3)
    with duckdb.connect(str(dbt_build.warehouse), read_only=True) as con:
        (count,) = con.execute(
            "select count(*) from marts.mart_submission_compliance "
            "where report_kind = 'annual_plan' and period_grain <> 'year'"
        ).fetchone() or (None,)
    assert count == 0
