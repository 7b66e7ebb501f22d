"""Parse-issue findings: the cells ingestion could not read (ledger.row_issues), named by cause.

Each unreadable cell was stored as NULL and recorded with what was typed; this turns them into
one finding per sheet, column and issue code, with a fix hint in the clerk's terms.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb

from core.contract.model import ColumnSpec, load_contract
from quality.catalogue import rule
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow, format_rows
from quality.redaction import display_value
from quality.scope import CheckScope
from quality.validity_specs import accepted_values

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
