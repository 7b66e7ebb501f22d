"""Continuity, duplicates, annual plans and outliers over small synthetic histories."""

from __future__ import annotations

import datetime as dt

import pytest
import qbuild

from core.period import month_range
from quality.config import QualityConfig
from quality.outliers import outlier_findings
from quality.over_time import continuity_findings
from quality.scope import CheckScope, register_scope
from quality.structural import annual_plan_findings, duplicate_findings
from quality.tables import create_current_views


@pytest.fixture
def con(lipas_home):  # type: ignore[no-untyped-def]
    connection = qbuild.connect(lipas_home.warehouse_path)
    yield connection
    connection.close()


def _prepare(con, months: list[str]) -> CheckScope:  # type: ignore[no-untyped-def]
    scope = CheckScope(dt.date(2025, 12, 31), tuple(months))
    create_current_views(con)
    register_scope(con, scope)
    return scope


@pytest.mark.parametrize(
    ("march_status", "in_april", "flagged"),
    [
        pytest.param("AKTIF", False, True, id="active client vanishes"),
        pytest.param("AKTIF", True, False, id="active client reappears"),
        pytest.param("SELESAI", False, False, id="client ended last month"),
    ],
)
def test_continuity(con, march_status: str, in_april: bool, flagged: bool) -> None:  # type: ignore[no-untyped-def]
    def end_status(rows: qbuild.Rows) -> None:
        rows["KLIEN"][2].update(status_akhir_bulan=march_status,
                                tanggal_status=dt.date(2025, 3, 20))  # fmt: skip

    def drop_third(rows: qbuild.Rows) -> None:
        if not in_april:
            del rows["KLIEN"][2]

    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                          mutate=end_status)  # fmt: skip
    qbuild.add_submission(con, "BP1101", "2025-04", qbuild.monthly_rows("BP1101", "2025-04"),
                          mutate=drop_third)  # fmt: skip
    drafts = continuity_findings(con, _prepare(con, ["2025-04"]))
    assert [(d.period, d.rows()) for d in drafts] == ([("2025-04", [4])] if flagged else [])


def test_continuity_needs_both_months(con) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2025-04", qbuild.monthly_rows("BP1101", "2025-04"))
    assert continuity_findings(con, _prepare(con, ["2025-04"])) == []


def test_duplicate_key_rows(con) -> None:  # type: ignore[no-untyped-def]
    def duplicate(rows: qbuild.Rows) -> None:
        rows["KLIEN"][2]["no_register"] = rows["KLIEN"][0]["no_register"]
        rows["PESERTA"].append(dict(rows["PESERTA"][0]))

    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                          mutate=duplicate)  # fmt: skip
    drafts = duplicate_findings(con, _prepare(con, ["2025-03"]))
    assert sorted((d.subject, d.rows()) for d in drafts) == [("KLIEN", [2, 4]), ("PESERTA", [2, 4])]


@pytest.mark.parametrize(
    ("target", "budget", "rules"),
    [
        pytest.param(10, 5_000_000, set(), id="plausible plan"),
        pytest.param(10, 0, {"PLAN_ZERO_BUDGET"}, id="zero budget"),
        # Without any monthly report there is no caseload to compare the target with.
        pytest.param(1000, 5_000_000, set(), id="no caseload history, no judgement"),
    ],
)
def test_annual_plan_checks(con, target: int, budget: int, rules: set[str]) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2025", qbuild.plan_rows(2025, target, budget),
                          kind="annual_plan")  # fmt: skip
    drafts = annual_plan_findings(con, _prepare(con, ["2025-01"]), QualityConfig())
    assert {d.rule.rule_id for d in drafts} == rules


def test_annual_plan_target_above_three_times_caseload(con) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2025-01", qbuild.monthly_rows("BP1101", "2025-01"))
    qbuild.add_submission(con, "BP1101", "2025", qbuild.plan_rows(2025, 10), kind="annual_plan")
    drafts = annual_plan_findings(con, _prepare(con, ["2025-01"]), QualityConfig())
    assert [(d.rule.rule_id, d.params["caseload"]) for d in drafts] == [
        ("PLAN_TARGET_IMPLAUSIBLE", "3")
    ]


def test_cost_outlier_against_own_history(con) -> None:  # type: ignore[no-untyped-def]
    months = month_range("2025-01", "2025-07")
    costs = [1_000_000, 1_100_000, 950_000, 1_050_000, 1_000_000, 1_020_000, 5_000_000]
    for period, cost in zip(months, costs, strict=True):

        def set_cost(rows: qbuild.Rows, cost: int = cost) -> None:
            rows["KEGIATAN"][0]["biaya_rp"] = cost

        qbuild.add_submission(con, "BP1101", period, qbuild.monthly_rows("BP1101", period),
                              mutate=set_cost)  # fmt: skip
    drafts = outlier_findings(con, _prepare(con, ["2025-07"]), QualityConfig())
    z = [d for d in drafts if d.rule.rule_id == "OUT_MODIFIED_Z"]
    assert [(d.subject, d.period) for d in z] == [("cost", "2025-07")]
    assert z[0].params["median"] == "1.010.000"
    who = {d.subject for d in drafts if d.rule.rule_id == "OUT_WHO_33"}
    assert who == {"cost"}


def test_parse_issues_become_validity_findings(con) -> None:  # type: ignore[no-untyped-def]
    from quality.parse_issues import parse_issue_findings

    sid = qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"))
    con.executemany(
        "insert into ledger.row_issues values (?, 'KLIEN', ?, 'tanggal_mulai', ?, 'bad_date',"
        " 'Tanggal tidak terbaca', 'Unreadable date')",
        [[sid, 3, "31/02/2024"], [sid, 4, "kemarin"]],
    )
    drafts = parse_issue_findings(con, _prepare(con, ["2025-03"]))
    assert [(d.rule.rule_id, d.rows(), d.affected_rows) for d in drafts] == [
        ("VAL_PARSE", [3, 4], 2)
    ]
    message_id, hint_id, _en, hint_en = drafts[0].render()
    assert "tanggal_mulai" in message_id and "3, 4" in message_id
    assert (hint_id, hint_en) == ("Tanggal tidak terbaca", "Unreadable date")


def test_checks_on_an_empty_warehouse_report_everything_missing(lipas_home) -> None:  # type: ignore[no-untyped-def]
    from quality.runner import run_checks

    summary = run_checks(lipas_home, as_of=dt.date(2025, 4, 20), periods=["2025-03"],
                         bapas=frozenset({"BP1101"}), with_gx=False)  # fmt: skip
    assert summary.by_family == {"completeness": 1, "annual_plan": 1}


def test_caseload_outlier_looks_down_as_well_as_up(con) -> None:  # type: ignore[no-untyped-def]
    # Issue 12: outlier rules must look both ways and work at small caseloads. A 30-client office
    # that suddenly reports 10 clients is flagged, and the message names the likely cause.
    months = month_range("2025-01", "2025-07")
    for period, clients in zip(months, [30, 31, 29, 30, 32, 30, 10], strict=True):
        qbuild.add_submission(con, "BP1101", period,
                              qbuild.monthly_rows("BP1101", period, clients=clients))  # fmt: skip
    drafts = outlier_findings(con, _prepare(con, ["2025-07"]), QualityConfig())
    (low,) = [d for d in drafts if d.rule.rule_id == "OUT_MODIFIED_Z"]
    assert (low.subject, low.params["direction_id"]) == ("caseload", "jauh di bawah")
    assert "klien terhapus" in low.render()[0]
