"""Validity findings: GX expectations on the current raw rows, and ingestion's parse issues."""

from __future__ import annotations

import logging
from collections import defaultdict

import duckdb

from core.contract.model import ColumnSpec, load_contract
from core.duckdb_connect import fetch_frame
from quality.catalogue import rule
from quality.gx_suites import GxRunner
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow, format_rows
from quality.redaction import display_value
from quality.scope import CheckScope
from quality.tables import SENSITIVE_COLUMNS
from quality.validity_specs import ValiditySpec, accepted_values, validity_specs

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


def _frame_sql(table: str, specs: tuple[ValiditySpec, ...]) -> str:
    """Only the columns the expectations read: nothing else can reach GX results or Data Docs."""
    needed: set[str] = set(INDEX_COLUMNS)
    for spec in specs:
        needed |= spec.expectation.columns()
    needed -= {"_period_start", "_period_end"}
    columns = ", ".join(sorted(needed))
    return (
        f"select {columns}, {PERIOD_COLUMNS} from q_cur_{table}"
        " where _reporting_period in (select periode from q_scope)"
    )


def gx_validity_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope, runner: GxRunner
) -> list[FindingDraft]:
    """One GX validation per raw table over every current submission in scope.

    Batching all submissions into one DataFrame per table keeps GX to ~10 validations per run
    instead of one per file; failing rows are split back per submission by their keys.
    """
    submissions = _submissions(con)
    issues = _issue_cells(con)
    drafts: list[FindingDraft] = []
    for table, specs in validity_specs().items():
        frame = fetch_frame(con, _frame_sql(table, specs))
        if frame.empty:
            continue
        by_id = {s.expectation.rule_id: s for s in specs}
        summary = runner.validate(table, frame, [s.expectation for s in specs], INDEX_COLUMNS)
        for failed in summary.failing:
            spec = by_id[failed.rule_id]
            if failed.error:
                logger.error("GX %s %s could not run: %s", table, failed.rule_id, failed.error)
                continue
            hits = [
                (str(item.get("submission_id")), int(str(item.get("_row_number"))),
                 item.get(spec.column))
                for item in failed.samples
            ]  # fmt: skip
            drafts.extend(_split(spec, hits, submissions, scope, issues))
    return drafts


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


# Row-issue codes with a rule of their own (named by the cause); every other code is VAL_PARSE.
ISSUE_RULES: dict[str, str] = {
    "long_number_masked": "VAL_LONG_NUMBER",
    "formula_no_value": "VAL_FORMULA_NO_VALUE",
    "nik_rounded": "VAL_NIK_ROUNDED",
    "date_format_us": "VAL_DATE_FORMAT",
    "date_order_assumed": "VAL_DATE_ORDER_ASSUMED",
    "date_order_conflict": "VAL_DATE_ORDER_CONFLICT",
    "file_name_long_number": "VAL_FILE_NAME_NUMBER",
}


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
    for sid, bapas, period, kind, sheet, column, code, row, value, msg_id, msg_en in rows:
        grouped[(sid, bapas, period, kind, sheet, column, code)].append(
            (row, value, msg_id, msg_en)
        )
    drafts = []
    for (sid, bapas, period, kind, sheet, column, code), hits in grouped.items():
        if not scope.includes(bapas):
            continue
        samples = tuple(
            SampleRow(sheet, int(str(r)) if r is not None else None, column, display_value(v))
            for r, v, _mi, _me in hits[:MAX_SAMPLE_ROWS]
        )
        detail_id, detail_en = _parse_detail(kind, sheet, column, code, hits)
        drafts.append(
            FindingDraft(
                rule=rule(ISSUE_RULES.get(str(code), "VAL_PARSE")),
                kode_bapas=bapas,
                period=period,
                subject=f"{sheet}/{column}/{code}",
                report_kind=kind,
                submission_id=sid,
                affected_rows=len(hits),
                samples=samples,
                params={
                    "sheet": sheet,
                    "column": column,
                    "issue_code": code,
                    "detail_id": detail_id,
                    "detail_en": detail_en,
                },
            )
        )
    return drafts


def _contract_column(kind: str, sheet: str, column: str) -> ColumnSpec | None:
    try:
        spec = load_contract().kind(kind).sheet(sheet)
    except KeyError:
        return None
    return next((c for c in spec.columns if c.name == column), None)


def _parse_detail(
    kind: str, sheet: str, column: str, code: str, hits: list[tuple[object, ...]]
) -> tuple[str, str]:
    """The fix hint of an unreadable cell: what was typed and what the column accepts.

    Ingestion's own message names its parser ("cannot be read as yn"); the clerk needs
    "isi Y atau N". Codes with their own wording (formulas, long numbers) keep ingestion's.
    """
    given_id, given_en = str(hits[0][2] or ""), str(hits[0][3] or "")
    col = _contract_column(kind, sheet, column)
    if col is None or not (code.startswith("invalid_") or code == "more_issues"):
        return given_id, given_en
    accepted_id, accepted_en = accepted_values(col)
    if code == "more_issues":
        return (
            f"{given_id} Kolom {column} hanya menerima {accepted_id}.",
            f"{given_en} Column {column} accepts only {accepted_en}.",
        )
    rows = format_rows(sorted({int(str(h[0])) for h in hits if h[0] is not None}))
    typed = ""
    if col.pii == "none":
        values = dict.fromkeys(v for h in hits if (v := display_value(h[1])) is not None)
        shown = ", ".join(f'"{v}"' for v in list(values)[:3])
        typed = f" (tertulis {shown})" if shown else ""
        typed_en = f" (found {shown})" if shown else ""
    else:
        typed_en = ""
    return (
        f"Isi kolom {column} di sheet {sheet} baris {rows} dengan {accepted_id}{typed}.",
        f"Enter {accepted_en} in column {column}, sheet {sheet}, rows {rows}{typed_en}.",
    )
