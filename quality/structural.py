"""Duplicate keys inside a sheet and the plausibility of annual plans."""

from __future__ import annotations

import duckdb

from core.contract.model import load_contract
from quality.catalogue import rule
from quality.config import QualityConfig
from quality.duplicates import client_two_registers_findings, copy_of_last_month_findings
from quality.model import MAX_SAMPLE_ROWS, FindingDraft, SampleRow
from quality.scope import CheckScope
from quality.tables import check_column, current_view


def duplicate_findings(con: duckdb.DuckDBPyConnection, scope: CheckScope) -> list[FindingDraft]:
    """Rows sharing the contract `key` of their sheet, plus the duplicates a key cannot see.

    quality.duplicates adds one client under two register numbers and last month's report
    sent again; all three are the duplicate family.
    """
    drafts = client_two_registers_findings(con, scope) + copy_of_last_month_findings(con, scope)
    for kind in load_contract().report_kinds.values():
        for sheet in kind.sheets:
            if not sheet.key:
                continue
            keys = [check_column(kind.kind, sheet.name, k) for k in sheet.key]
            key_sql = ", ".join(keys)
            not_null = " and ".join(f"{k} is not null" for k in keys)
            rows = con.execute(
                f"select submission_id, kode_bapas, _reporting_period,"
                f" concat_ws(' / ', {key_sql}), list(_row_number order by _row_number)"
                f" from {current_view(kind.kind, sheet.name)}"
                f" where _reporting_period in (select periode from q_scope) and {not_null}"
                f" group by submission_id, kode_bapas, _reporting_period, {key_sql}"
                " having count(*) > 1 order by submission_id"
            ).fetchall()
            grouped: dict[tuple[str, str, str], list[tuple[str, list[int]]]] = {}
            for submission_id, kode_bapas, period, key_value, row_numbers in rows:
                grouped.setdefault((submission_id, kode_bapas, period), []).append(
                    (key_value, row_numbers)
                )
            for (submission_id, kode_bapas, period), dups in grouped.items():
                if not scope.includes(kode_bapas):
                    continue
                samples = [
                    SampleRow(sheet.name, row, "+".join(keys), value)
                    for value, row_numbers in dups
                    for row in row_numbers
                ]
                drafts.append(
                    FindingDraft(
                        rule=rule("DUP_KEY"),
                        kode_bapas=kode_bapas,
                        period=period,
                        subject=sheet.name,
                        report_kind=kind.kind,
                        submission_id=submission_id,
                        affected_rows=len(samples),
                        samples=tuple(samples[:MAX_SAMPLE_ROWS]),
                        params={"sheet": sheet.name, "key": "+".join(keys)},
                    )
                )
    return drafts


def annual_plan_findings(
    con: duckdb.DuckDBPyConnection, scope: CheckScope, config: QualityConfig
) -> list[FindingDraft]:
    """Implausible targets (vs the Bapas's average caseload) and plans with no budget."""
    rows = con.execute(
        "select s.submission_id, s.kode_bapas, s.periode,"
        " (select sum(target_klien) from q_cur_annual_plan_sasaran t"
        "   where t.submission_id = s.submission_id),"
        " (select list(_row_number order by _row_number) from q_cur_annual_plan_sasaran t"
        "   where t.submission_id = s.submission_id),"
        " (select coalesce(sum(anggaran_rp), 0) from q_cur_annual_plan_anggaran a"
        "   where a.submission_id = s.submission_id),"
        " (select list(_row_number order by _row_number) from q_cur_annual_plan_anggaran a"
        "   where a.submission_id = s.submission_id),"
        " (select avg(n) from (select count(*) as n from q_cur_monthly_klien k"
        "   where k.kode_bapas = s.kode_bapas and k._reporting_period between"
        "   cast(cast(s.periode as integer) - 1 as varchar) || '-01' and s.periode || '-12'"
        "   group by k._reporting_period))"
        " from q_ledger_submissions s"
        " where s.is_current and s.report_kind = 'annual_plan'"
        " and s.periode in (select periode from q_scope) order by s.kode_bapas, s.periode"
    ).fetchall()
    drafts = []
    for (
        submission_id,
        kode_bapas,
        period,
        target,
        target_rows,
        budget,
        budget_rows,
        caseload,
    ) in rows:
        if not scope.includes(kode_bapas):
            continue
        common = {"kode_bapas": kode_bapas, "period": period, "report_kind": "annual_plan"}
        limit = config.plan_caseload_factor * float(caseload or 0)
        if caseload and target is not None and float(target) > limit:
            drafts.append(
                FindingDraft(
                    rule=rule("PLAN_TARGET_IMPLAUSIBLE"),
                    subject="SASARAN",
                    submission_id=submission_id,
                    affected_rows=len(target_rows or []),
                    samples=tuple(
                        SampleRow("SASARAN", r, "target_klien", None)
                        for r in (target_rows or [])[:MAX_SAMPLE_ROWS]
                    ),
                    params={
                        "target": int(target),
                        "factor": f"{config.plan_caseload_factor:g}",
                        "caseload": f"{float(caseload):.0f}",
                    },
                    **common,  # type: ignore[arg-type]
                )
            )
        if float(budget or 0) <= 0:
            drafts.append(
                FindingDraft(
                    rule=rule("PLAN_ZERO_BUDGET"),
                    subject="ANGGARAN",
                    submission_id=submission_id,
                    affected_rows=max(len(budget_rows or []), 1),
                    samples=tuple(
                        SampleRow("ANGGARAN", r, "anggaran_rp", "0")
                        for r in (budget_rows or [None])[:MAX_SAMPLE_ROWS]
                    ),
                    **common,  # type: ignore[arg-type]
                )
            )
    return drafts
