"""Validity findings: GX expectations on the current raw rows, and ingestion's parse issues."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

import duckdb

from core.duckdb_connect import fetch_frame
from core.period import utc_now
from quality.gx_suites import GxRunner
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow
from quality.redaction import display_value
from quality.scope import CheckScope
from quality.tables import SENSITIVE_COLUMNS
from quality.validity_cache import (
    CachePlan,
    Failure,
    cached_failures,
    count_rows,
    ensure_cache_tables,
    plan,
    store,
    suite_digest,
)
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


# (submission_id, sheet, column, row) of cells ingestion could not read (stored NULL).
IssueCells = frozenset[tuple[str, str, str, int]]
INDEX_COLUMNS = ("submission_id", "_row_number")


def _issue_cells(con: duckdb.DuckDBPyConnection) -> IssueCells:
    """Cells already reported from ledger.row_issues: not reported again as empty."""
    rows = con.execute(
        "select i.submission_id, i.sheet, i.column_name, i.row_number"
        " from q_ledger_row_issues i join q_ledger_submissions s using (submission_id)"
        " where s.is_current and s.periode in (select periode from q_scope)"
        " and i.row_number is not null and i.column_name is not null"
    ).fetchall()
    return frozenset((str(sid), str(sh), str(col), int(row)) for sid, sh, col, row in rows)


IN_SCOPE = "_reporting_period in (select periode from q_scope)"
TO_VALIDATE = "q_validate_ids"  # temp table: the submissions GX validates this run


def _frame_sql(table: str, specs: tuple[ValiditySpec, ...]) -> str:
    """Only the columns the expectations read: nothing else can reach GX results or Data Docs."""
    needed: set[str] = set(INDEX_COLUMNS)
    for spec in specs:
        needed |= spec.expectation.columns()
    needed -= {"_period_start", "_period_end"}
    columns = ", ".join(sorted(needed))
    return (
        f"select {columns}, {PERIOD_COLUMNS} from q_cur_{table} where {IN_SCOPE}"
        f" and submission_id in (select submission_id from {TO_VALIDATE})"
    )


def gx_validity_findings(
    con: duckdb.DuckDBPyConnection,
    scope: CheckScope,
    runner: GxRunner | Callable[[], GxRunner],
    *,
    use_cache: bool = True,
) -> list[FindingDraft]:
    """One GX validation per raw table over the current submissions in scope not yet validated.

    Batching submissions into one DataFrame per table keeps GX to ~10 validations per run
    instead of one per file; failing rows are split back per submission by their keys. A
    submission validated before with the same suite is not validated again: its failures come
    from `quality.validity_cache` (see there for when a cached result no longer holds).
    `use_cache=False` validates everything (and refreshes the cache). `runner` may be a
    function returning it (`LazyRunner`), called only when something is to be validated.
    """
    submissions = _submissions(con)
    issues = _issue_cells(con)
    ensure_cache_tables(con)
    plans = {
        table: (
            specs,
            plan(con, count_rows(con, table, IN_SCOPE), _digest(specs), table, reuse=use_cache),
        )
        for table, specs in validity_specs().items()
    }
    failures = {table: cached_failures(con, cache) for table, (_specs, cache) in plans.items()}
    stale = {table: planned for table, planned in plans.items() if planned[1].stale}
    if stale:
        gx = runner() if callable(runner) else runner
        with gx.docs_batch():  # the Data Docs of every table in one build
            for table, (specs, cache) in stale.items():
                fresh, complete = _validate(con, table, specs, cache, gx)
                if complete:
                    store(con, cache, fresh, utc_now())
                failures[table].extend(fresh)
    drafts: list[FindingDraft] = []
    for table, (specs, _cache) in plans.items():
        by_id = {s.expectation.rule_id: s for s in specs}
        hits: dict[str, list[tuple[str, int, object]]] = defaultdict(list)
        for sid, rule_id, row, value in failures[table]:
            hits[rule_id].append((sid, row, value))
        for rule_id in sorted(hits.keys() & by_id.keys()):
            drafts.extend(_split(by_id[rule_id], hits[rule_id], submissions, scope, issues))
    return drafts


def _digest(specs: tuple[ValiditySpec, ...]) -> str:
    return suite_digest([s.expectation for s in specs])


def _validate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    specs: tuple[ValiditySpec, ...],
    cache: CachePlan,
    runner: GxRunner,
) -> tuple[list[Failure], bool]:
    """GX over the stale submissions' rows: their failures, and whether every expectation ran."""
    con.execute(
        f"create or replace temp table {TO_VALIDATE} as"
        " select unnest(?::varchar[]) as submission_id",
        [sorted(cache.stale)],
    )
    frame = fetch_frame(con, _frame_sql(table, specs))
    if frame.empty:
        return [], True
    by_id = {s.expectation.rule_id: s for s in specs}
    summary = runner.validate(table, frame, [s.expectation for s in specs], INDEX_COLUMNS)
    failures: list[Failure] = []
    complete = True
    for failed in summary.failing:
        spec = by_id[failed.rule_id]
        if failed.error:
            logger.error("GX %s %s could not run: %s", table, failed.rule_id, failed.error)
            complete = False  # not cached: the next run tries again
            continue
        for item in failed.samples:
            # The display text, not the raw value: what a sample shows is all the cache keeps.
            value = display_value(item.get(spec.column))
            row = int(str(item.get("_row_number")))
            failures.append((str(item.get("submission_id")), failed.rule_id, row, value))
    return failures, complete


def not_null_findings(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> list[FindingDraft]:
    """Blank required cells in SQL, for runs without GX (same rule ids and finding ids).

    `lipas check --no-gx` skips the GX suites for speed; a blank required cell must still be
    reported, and this check needs no GX.
    """
    submissions = _submissions(con)
    issues = _issue_cells(con)
    drafts: list[FindingDraft] = []
    for table, specs in validity_specs().items():
        for spec in specs:
            if spec.check != "not_null":
                continue
            rows = con.execute(
                f"select submission_id, _row_number from q_cur_{table}"
                f" where {spec.column} is null"
                " and _reporting_period in (select periode from q_scope)"
            ).fetchall()
            hits: list[tuple[str, int, object]] = [(str(sid), int(row), None) for sid, row in rows]
            drafts.extend(_split(spec, hits, submissions, scope, issues))
    return drafts


def not_null_rule_ids() -> frozenset[str]:
    """Rule ids `not_null_findings` evaluates (not skipped when GX is off)."""
    return frozenset(
        spec.meta.rule_id
        for specs in validity_specs().values()
        for spec in specs
        if spec.check == "not_null"
    )


def _split(
    spec: ValiditySpec,
    hits: list[tuple[str, int, object]],
    submissions: dict[str, tuple[str, str, str]],
    scope: CheckScope,
    issues: IssueCells = frozenset(),
) -> list[FindingDraft]:
    per_submission: dict[str, list[tuple[int, object]]] = defaultdict(list)
    for sid, row, value in hits:
        if spec.check == "not_null" and (sid, spec.sheet, spec.cell_column, row) in issues:
            continue  # unreadable, not empty: VAL_PARSE names what was typed
        per_submission[sid].append((row, value))
    drafts = []
    hidden = spec.column in SENSITIVE_COLUMNS
    for sid, cells in per_submission.items():
        kode_bapas, period, kind = submissions.get(sid, (None, None, spec.kind))
        if not scope.includes(kode_bapas):
            continue
        cells.sort(key=lambda h: h[0])
        rows = tuple(
            SampleRow(spec.sheet, row, spec.cell_column, None if hidden else display_value(value))
            for row, value in cells[:MAX_SAMPLE_ROWS]
        )
        drafts.append(
            FindingDraft(
                rule=spec.meta,
                kode_bapas=kode_bapas,
                period=period,
                subject=spec.sheet,
                report_kind=kind,
                submission_id=sid,
                affected_rows=len(cells),
                samples=rows,
            )
        )
    return drafts
