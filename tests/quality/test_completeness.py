"""The expected-reports register: statuses, Jakarta deadlines, possibly inactive offices."""

from __future__ import annotations

import datetime as dt

import pytest
import qbuild

from quality.completeness import build_register, register_findings, rejected_findings
from quality.config import QualityConfig
from quality.rates import reporting_rates
from quality.scope import build_scope, register_scope
from quality.tables import create_current_views

BAPAS = frozenset({"BP1101"})


@pytest.fixture
def con(lipas_home):  # type: ignore[no-untyped-def]
    connection = qbuild.connect(lipas_home.warehouse_path)
    yield connection
    connection.close()


def _register(con, as_of: dt.date, months: list[str], bapas=BAPAS):  # type: ignore[no-untyped-def]
    scope = build_scope(as_of, months, 12, bapas)
    create_current_views(con)
    register_scope(con, scope)
    return scope, build_register(con, scope, QualityConfig())


@pytest.mark.parametrize(
    ("arrivals", "as_of", "status", "overdue"),
    [
        # 2025-03-10 16:59 UTC is 23:59 in Jakarta: still the deadline day.
        pytest.param([("accepted", dt.datetime(2025, 3, 10, 16, 59))], "2025-03-20", "on_time", 0,
                     id="last minute in Jakarta is on time"),
        pytest.param([("accepted", dt.datetime(2025, 3, 10, 17, 0))], "2025-03-20", "late", 1,
                     id="midnight in Jakarta is late"),
        pytest.param([("rejected", dt.datetime(2025, 3, 2))], "2025-03-20", "rejected", 10,
                     id="only a rejected file"),
        pytest.param([("rejected", dt.datetime(2025, 3, 2)), ("accepted", dt.datetime(2025, 3, 4))],
                     "2025-03-20", "on_time", 0, id="rejected then corrected in time"),
        pytest.param([], "2025-03-20", "missing", 10, id="nothing after the deadline"),
        pytest.param([], "2025-03-05", "not_yet_due", 0, id="nothing before the deadline"),
        pytest.param([("accepted", dt.datetime(2025, 3, 25))], "2025-03-20", "missing", 10,
                     id="arrivals after as-of do not count yet"),
    ],
)  # fmt: skip
def test_monthly_status(con, arrivals, as_of: str, status: str, overdue: int) -> None:  # type: ignore[no-untyped-def]
    for kind, received in arrivals:
        rows = qbuild.monthly_rows("BP1101", "2025-02") if kind == "accepted" else None
        code = "missing_sheet" if kind == "rejected" else None
        qbuild.add_submission(con, "BP1101", "2025-02", rows, status=kind, received_at=received,
                              error_code=code)  # fmt: skip
    _scope, rows = _register(con, dt.date.fromisoformat(as_of), ["2025-02"])
    monthly = [r for r in rows if r.report_kind == "monthly"]
    assert [(r.status, r.days_overdue) for r in monthly] == [(status, overdue)]
    assert monthly[0].deadline == dt.date(2025, 3, 10)


@pytest.mark.parametrize(
    ("arrivals", "as_of", "counts"),
    [
        pytest.param([("accepted", dt.datetime(2025, 3, 3))], "2025-03-20", (True, True, True),
                     id="accepted on time counts everywhere"),
        pytest.param([("accepted", dt.datetime(2025, 3, 12))], "2025-03-20", (True, True, False),
                     id="accepted late is reported, not on time"),
        # Issue 13: the digest said 0.5 and the mart 1.0 for one on-time and one rejected report.
        pytest.param([("rejected", dt.datetime(2025, 3, 2))], "2025-03-20", (True, False, False),
                     id="rejected only is expected but not reported"),
        pytest.param([("rejected", dt.datetime(2025, 3, 2))], "2025-03-05", (True, False, False),
                     id="rejected before the deadline is already expected"),
        pytest.param([("held", dt.datetime(2025, 3, 2))], "2025-03-20", (True, False, False),
                     id="held only is not reported"),
        pytest.param([], "2025-03-05", (False, False, False), id="not yet due is not expected"),
    ],
)  # fmt: skip
def test_register_decides_what_counts(con, arrivals, as_of: str, counts) -> None:  # type: ignore[no-untyped-def]
    for kind, received in arrivals:
        rows = qbuild.monthly_rows("BP1101", "2025-02") if kind != "rejected" else None
        code = {"rejected": "missing_sheet", "held": "identity_mismatch"}.get(kind)
        qbuild.add_submission(con, "BP1101", "2025-02", rows, status=kind, received_at=received,
                              error_code=code)  # fmt: skip
    _scope, rows = _register(con, dt.date.fromisoformat(as_of), ["2025-02"])
    (row,) = [r for r in rows if r.report_kind == "monthly"]
    assert (row.counts_as_expected, row.counts_as_reported, row.counts_as_on_time) == counts


def test_silent_six_months_is_possibly_inactive(con) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2024-08", qbuild.monthly_rows("BP1101", "2024-08"),
                          received_at=dt.datetime(2024, 9, 5))  # fmt: skip
    months = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]
    _scope, rows = _register(con, dt.date(2025, 3, 20), months)
    flags = {r.period: r.possibly_inactive for r in rows if r.report_kind == "monthly"}
    assert flags == {m: m == "2025-02" for m in months}
    drafts = register_findings(rows)
    assert {d.rule.rule_id for d in drafts if d.period == "2025-02"} == {"COMP_POSSIBLY_INACTIVE"}
    assert {d.rule.rule_id for d in drafts if d.period == "2025-01"} == {"COMP_MISSING"}
    assert {d.rule.rule_id for d in drafts if d.period == "2025"} == {"PLAN_MISSING"}


def test_one_report_breaks_the_silent_run(con) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2024-12", qbuild.monthly_rows("BP1101", "2024-12"),
                          received_at=dt.datetime(2025, 1, 5))  # fmt: skip
    _scope, rows = _register(con, dt.date(2025, 3, 20), ["2025-02"])
    assert not any(r.possibly_inactive for r in rows)


def test_expected_offices_follow_ref_bapas_history(con) -> None:  # type: ignore[no-untyped-def]
    from core.reference import active_bapas

    _scope, rows = _register(con, dt.date(2025, 3, 20), ["2025-02"], bapas=None)
    expected = {b.kode_bapas for b in active_bapas(dt.date(2025, 2, 1), dt.date(2025, 2, 28))}
    assert {r.kode_bapas for r in rows if r.report_kind == "monthly"} == expected


def test_rates_and_rejected_findings(con) -> None:  # type: ignore[no-untyped-def]
    bapas = frozenset({"BP1101", "BP1102"})
    qbuild.add_submission(con, "BP1101", "2025-01", qbuild.monthly_rows("BP1101", "2025-01"),
                          received_at=dt.datetime(2025, 2, 3))  # fmt: skip
    qbuild.add_submission(con, "BP1101", "2025-02", qbuild.monthly_rows("BP1101", "2025-02"),
                          received_at=dt.datetime(2025, 3, 12))  # fmt: skip
    qbuild.add_submission(con, None, None, None, status="rejected", error_code="bad_period",
                          received_at=dt.datetime(2025, 3, 1), name="laporan.xlsx")  # fmt: skip
    scope, rows = _register(con, dt.date(2025, 3, 20), ["2025-01", "2025-02"], bapas)
    national = {r.report_kind: r for r in reporting_rates(rows) if r.area == "NASIONAL"}
    # 2 offices x 2 months expected; BP1101 sent both (one late), BP1102 nothing.
    assert (national["monthly"].expected, national["monthly"].reported) == (4, 2)
    assert national["monthly"].on_time_rate == 0.25
    assert national["monthly"].consistent_rate == 1.0
    rejected = rejected_findings(con, scope)
    assert [(d.rule.rule_id, d.kode_bapas, d.samples[0].value) for d in rejected] == [
        ("REJ_FILE", None, "laporan.xlsx")
    ]


def test_accepted_report_is_never_possibly_inactive(con) -> None:  # type: ignore[no-untyped-def]
    # Regression (issue 12): "possibly inactive" was raised for an office whose report for that
    # month had been accepted (it arrived after the as-of date of the run).
    qbuild.add_submission(con, "BP1101", "2024-08", qbuild.monthly_rows("BP1101", "2024-08"),
                          received_at=dt.datetime(2024, 9, 5))  # fmt: skip
    qbuild.add_submission(con, "BP1101", "2025-02", qbuild.monthly_rows("BP1101", "2025-02"),
                          received_at=dt.datetime(2025, 3, 25))  # fmt: skip
    months = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]
    _scope, rows = _register(con, dt.date(2025, 3, 20), months)
    feb = next(r for r in rows if r.report_kind == "monthly" and r.period == "2025-02")
    assert feb.status == "missing"
    assert not feb.possibly_inactive
    drafts = register_findings(rows)
    assert "COMP_POSSIBLY_INACTIVE" not in {d.rule.rule_id for d in drafts}


def test_an_office_that_reported_later_is_not_possibly_inactive(con) -> None:  # type: ignore[no-untyped-def]
    # Six silent months, then a report for March: the office is active, February is missing.
    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                          received_at=dt.datetime(2025, 4, 5))  # fmt: skip
    months = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]
    _scope, rows = _register(con, dt.date(2025, 4, 20), months)
    assert {r.status for r in rows if r.report_kind == "monthly"} == {"missing"}
    assert not any(r.possibly_inactive for r in rows)


@pytest.mark.parametrize(
    ("as_of", "status", "overdue"),
    [
        pytest.param("2024-03-01", "not_yet_due", 0, id="not owed before the office opened"),
        pytest.param("2024-07-20", "not_yet_due", 0, id="30 days from opening to send it"),
        pytest.param("2024-08-15", "missing", 15, id="overdue counted from the opening deadline"),
    ],
)
def test_annual_plan_follows_the_opening_date(con, as_of: str, status: str, overdue: int) -> None:  # type: ignore[no-untyped-def]
    # Regression (issue 12): Batam opened 2024-07-01 and was told its 2024 annual plan had been
    # overdue since 2024-01-31. Decision: it owes the plan 30 days (the calendar's lead time)
    # after opening, i.e. by 2024-07-31.
    _scope, rows = _register(con, dt.date.fromisoformat(as_of), ["2024-02"], frozenset({"BP2102"}))
    plan = [r for r in rows if r.report_kind == "annual_plan" and r.period == "2024"]
    assert [(r.deadline, r.status, r.days_overdue) for r in plan] == [
        (dt.date(2024, 7, 31), status, overdue)
    ]
    if status == "not_yet_due":
        assert register_findings(rows) == []


def test_an_empty_register_is_written_without_error(con) -> None:  # type: ignore[no-untyped-def]
    # Regression: `lipas check --evaluate` on a generated set whose files `lipas ingest` had
    # moved away scoped no Bapas, and writing the empty register crashed (executemany([])).
    from quality.completeness import write_register
    from quality.store import ensure_quality_tables

    ensure_quality_tables(con)
    scope, rows = _register(con, dt.date(2025, 3, 20), ["2025-02"], frozenset())
    assert rows == []
    write_register(con, rows, scope)
