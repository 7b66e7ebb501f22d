"""Quality score per Bapas, report type and period (quality.submission_scores).

quality_score = 0.4 * completeness + 0.3 * timeliness + 0.3 * findings, each 0-100:
  completeness = 100 reported (counts_as_reported), 50 received but rejected, 0 missing;
  timeliness   = 100 on time (counts_as_on_time), 100 - 10 per day late (floor 0), 0 when
                 nothing counts as reported;
  findings     = 100 - 25 per open error - 5 per open warning (floor 0) among the findings about
                 the content of the report (not completeness, timeliness, rejected_file or a
                 missing plan, which the first two components already count); info is ignored.
Periods not yet due are not scored. Acknowledged findings do not count (they are explained).
"""

from __future__ import annotations

import datetime as dt

import duckdb

from quality.completeness import StatusRow

WEIGHTS = {"completeness": 0.4, "timeliness": 0.3, "findings": 0.3}
ERROR_PENALTY = 25.0
WARNING_PENALTY = 5.0
LATE_PENALTY_PER_DAY = 10.0
FORMULA = (__doc__ or "").split("\n\n", 1)[1].strip()


def component_scores(row: StatusRow, open_errors: int, open_warnings: int) -> tuple[float, ...]:
    """(completeness, timeliness, findings, quality) for one register row."""
    # The register's counts_as_* columns are the one decision (quality/indicators.py).
    completeness = 100.0 if row.counts_as_reported else 50.0 if row.received else 0.0
    if row.counts_as_on_time:
        timeliness = 100.0
    elif row.counts_as_reported:
        timeliness = max(0.0, 100.0 - LATE_PENALTY_PER_DAY * row.days_overdue)
    else:
        timeliness = 0.0
    findings = max(0.0, 100.0 - ERROR_PENALTY * open_errors - WARNING_PENALTY * open_warnings)
    quality = (
        WEIGHTS["completeness"] * completeness
        + WEIGHTS["timeliness"] * timeliness
        + WEIGHTS["findings"] * findings
    )
    return completeness, timeliness, findings, round(quality, 1)


def write_scores(con: duckdb.DuckDBPyConnection, rows: list[StatusRow], now: dt.datetime) -> int:
    """Replace the scores of the register rows' periods; returns the number of rows written."""
    counts = {
        (b, k, p): (int(e), int(w))
        for b, k, p, e, w in con.execute(
            "select kode_bapas, report_kind, periode,"
            " count(*) filter (where severity = 'error'),"
            " count(*) filter (where severity = 'warning')"
            " from quality.findings where status = 'open'"
            " and rule_family not in ('completeness', 'timeliness', 'rejected_file')"
            " and rule_id <> 'PLAN_MISSING' group by all"
        ).fetchall()
    }
    con.execute(
        "delete from quality.submission_scores where periode in (select periode from q_scope)"
    )
    out = []
    for row in rows:
        if not row.counts_as_expected:
            continue
        errors, warnings = counts.get((row.kode_bapas, row.report_kind, row.period), (0, 0))
        scores = component_scores(row, errors, warnings)
        out.append([row.kode_bapas, row.report_kind, row.period, *scores, errors, warnings, now])
    if out:
        con.executemany(
            "insert into quality.submission_scores values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", out
        )
    return len(out)
