"""The judging window as constants in SQL: exact, pruning, and never a way in for other text.

Issue 16: through the `q_scope` subquery the consistency and continuity rules read the whole
raw history (2.2 s and 2.4 s CPU at 82 Bapas x 10 years x 1,500 clients, against ~0.5 s at
one year); with the window written as checked constants DuckDB reads its row groups only.
"""

from __future__ import annotations

import duckdb

from quality.scope import SCOPE_SUBQUERY, period_filter, previous_periods


def test_plain_periods_become_a_range_and_an_exact_list() -> None:
    sql = period_filter("t", ["2030-02", "2029", "2030-01", "2030-01"])
    assert sql == (
        "t._reporting_period between '2029' and '2030-02'"
        " and t._reporting_period in ('2029', '2030-01', '2030-02')"
    )
    with duckdb.connect() as con:
        con.execute(
            "create table t as select * from (values ('2029'), ('2029-06'), ('2030-01'),"
            " ('2030-02'), ('2030-03')) v(_reporting_period)"
        )
        kept = con.execute(f"select _reporting_period from t where {sql} order by 1").fetchall()
    assert kept == [("2029",), ("2030-01",), ("2030-02",)]  # 2029-06 is inside the range only


def test_anything_else_falls_back_to_the_scope_table() -> None:
    for periods in (["2030-01", "2030-01' or true --"], ["2030-1"], ["2030-01\n"], [], None):
        assert period_filter("x", periods) == f"x._reporting_period in {SCOPE_SUBQUERY}"


def test_previous_months_skip_annual_periods() -> None:
    assert previous_periods(["2030-01", "2029", "2029-07"]) == ["2029-12", "2029-06"]
    assert previous_periods(["2029"]) is None
    assert previous_periods(None) is None
