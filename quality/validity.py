"""Validity findings: GX expectations on the current raw rows, and ingestion's parse issues."""

from __future__ import annotations

import logging
from collections import defaultdict

import duckdb

from quality.catalogue import rule
from quality.gx_suites import GxRunner
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow
from quality.scope import CheckScope
from quality.tables import SENSITIVE_COLUMNS
from quality.validity_specs import ValiditySpec, validity_specs

logger = logging.getLogger(__name__)

# First and last day of a reporting period (month 'YYYY-MM' or plan year 'YYYY').
PERIOD_COLUMNS = (
    "case when length(_reporting_period) = 4 then cast(_reporting_period || '-01-01' as date)"
    " else cast(_reporting_period || '-01' as date) end as _period_start,"
    " case when length(_reporting_period) = 4 then cast(_reporting_period || '-12-31' as date)"
    " else last_day(cast(_reporting_period || '-01' as date)) end as _period_end"
)


def _submissions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    rows = con.execute(
        "select submission_id, kode_bapas, periode, report_kind from q_ledger_submissions"
        " where is_current"
    ).fetchall()
    return {sid: (b, p, k) for sid, b, p, k in rows}


def gx_validity_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope, runner: GxRunner
) -> list[FindingDraft]:
    """One GX validation per raw table over every current submission in scope.

    Batching all submissions into one DataFrame per table keeps GX to ~10 validations per run
    instead of one per file; failing rows are split back per submission by their keys.
    """
    submissions = _submissions(con)
    drafts: list[FindingDraft] = []
    for table, specs in validity_specs().items():
        frame = con.execute(
            f"select *, {PERIOD_COLUMNS} from q_cur_{table}"
            " where _reporting_period in (select periode from q_scope)"
        ).df()
        if frame.empty:
            continue
        by_id = {s.expectation.rule_id: s for s in specs}
        summary = runner.validate(
            table, frame, [s.expectation for s in specs], ("submission_id", "_row_number")
        )
        for failed in summary.failing:
            spec = by_id[failed.rule_id]
            if failed.error:
                logger.error("GX %s %s could not run: %s", table, failed.rule_id, failed.error)
                continue
            drafts.extend(_split(spec, failed.samples, submissions, scope))
    return drafts


def _split(
    spec: ValiditySpec,
    samples: tuple[dict[str, object], ...],
    submissions: dict[str, tuple[str, str, str]],
    scope: CheckScope,
) -> list[FindingDraft]:
    per_submission: dict[str, list[tuple[int, object]]] = defaultdict(list)
    for item in samples:
        sid = str(item.get("submission_id"))
        per_submission[sid].append((int(str(item.get("_row_number"))), item.get(spec.column)))
    drafts = []
    for sid, hits in per_submission.items():
        kode_bapas, periode, kind = submissions.get(sid, (None, None, spec.kind))
        if not scope.includes(kode_bapas):
            continue
        hits.sort(key=lambda h: h[0])
        hidden = spec.column in SENSITIVE_COLUMNS
        rows = tuple(
            SampleRow(spec.sheet, row, spec.column, None if hidden else _text(value))
            for row, value in hits[:MAX_SAMPLE_ROWS]
        )
        drafts.append(
            FindingDraft(
                rule=spec.meta,
                kode_bapas=kode_bapas,
                periode=periode,
                subject=spec.sheet,
                report_kind=kind,
                submission_id=sid,
                affected_rows=len(hits),
                samples=rows,
            )
        )
    return drafts


def _text(value: object) -> str | None:
    if value is None or value != value:  # NaN/NaT are not equal to themselves
        return None
    text = str(value)
    # pandas turns DATE columns into midnight timestamps; the sender typed a date.
    return text.removesuffix(" 00:00:00")


def parse_issue_findings(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> list[FindingDraft]:
    """ledger.row_issues of current submissions: one finding per sheet, column and issue code."""
    rows = con.execute(
        "select i.submission_id, s.kode_bapas, s.periode, s.report_kind, i.sheet, i.column_name,"
        " i.issue_code, i.row_number, i.value, i.message_id, i.message_en"
        " from q_ledger_row_issues i join q_ledger_submissions s using (submission_id)"
        " where s.is_current and s.periode in (select periode from q_scope)"
        " order by i.submission_id, i.sheet, i.column_name, i.issue_code, i.row_number"
    ).fetchall()
    grouped: dict[tuple[str, ...], list[tuple[object, ...]]] = defaultdict(list)
    for sid, bapas, periode, kind, sheet, column, code, row, value, msg_id, msg_en in rows:
        grouped[(sid, bapas, periode, kind, sheet, column, code)].append(
            (row, value, msg_id, msg_en)
        )
    drafts = []
    for (sid, bapas, periode, kind, sheet, column, code), hits in grouped.items():
        if not scope.includes(bapas):
            continue
        samples = tuple(
            SampleRow(sheet, int(str(r)) if r is not None else None, column, _text(v))
            for r, v, _mi, _me in hits[:MAX_SAMPLE_ROWS]
        )
        drafts.append(
            FindingDraft(
                rule=rule("VAL_PARSE"),
                kode_bapas=bapas,
                periode=periode,
                subject=f"{sheet}/{column}/{code}",
                report_kind=kind,
                submission_id=sid,
                affected_rows=len(hits),
                samples=samples,
                params={
                    "sheet": sheet,
                    "column": column,
                    "issue_code": code,
                    "detail_id": hits[0][2] or "",
                    "detail_en": hits[0][3] or "",
                },
            )
        )
    return drafts
