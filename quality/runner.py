"""The public entry point: run every submission-level check and write the quality tables."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from core.duckdb_connect import open_duckdb, release_fetched_memory
from core.reference import load_bapas
from core.settings import Settings
from quality.activity_costs import activity_cost_findings
from quality.completeness import (
    StatusRow,
    build_register,
    register_findings,
    rejected_findings,
    write_register,
)
from quality.config import QualityConfig, load_quality_config
from quality.findings import ReconcileResult, reconcile
from quality.gx_lazy import LazyRunner
from quality.held import held_findings
from quality.model import FindingDraft
from quality.outliers import outlier_findings
from quality.over_time import continuity_findings, cross_bapas_findings
from quality.parse_issues import parse_issue_findings
from quality.rates import RateRow, reporting_rates
from quality.rules.evaluator import evaluate_rules
from quality.rules.spec import load_consistency_rules
from quality.scope import CheckScope, build_scope, register_scope
from quality.score import write_scores
from quality.store import ensure_quality_tables
from quality.structural import annual_plan_findings, duplicate_findings
from quality.tables import create_current_views
from quality.validity import gx_validity_findings, not_null_findings, not_null_rule_ids
from quality.validity_specs import validity_rules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckSummary:
    """What a run found: counts of the findings open in scope after the run, and timings."""

    as_of: dt.date
    periods: tuple[str, ...]
    by_severity: dict[str, int]
    by_family: dict[str, int]
    changes: ReconcileResult
    rates: tuple[RateRow, ...]
    timings: dict[str, float]
    data_docs: str | None


def collect_findings(
    con: duckdb.DuckDBPyConnection,
    scope: CheckScope,
    config: QualityConfig,
    gx_runner: LazyRunner | None,
    timings: dict[str, float],
) -> tuple[list[FindingDraft], list[StatusRow]]:
    """Every rule family in turn (needs the current views and q_scope); no writes."""
    drafts: list[FindingDraft] = []

    def timed(name: str, produce: Callable[[], list[FindingDraft]]) -> None:
        start = time.perf_counter()
        drafts.extend(produce())
        timings[name] = round(time.perf_counter() - start, 3)

    start = time.perf_counter()
    register = build_register(con, scope, config)
    drafts.extend(register_findings(register))
    timings["register"] = round(time.perf_counter() - start, 3)
    timed("rejected_file", lambda: rejected_findings(con, scope))
    timed("held_file", lambda: held_findings(con, scope))
    timed("consistency", lambda: evaluate_rules(con, load_consistency_rules()))
    timed("continuity", lambda: continuity_findings(con, scope))
    timed("cross_bapas", lambda: cross_bapas_findings(con, scope))
    timed("duplicate", lambda: duplicate_findings(con, scope))
    timed("annual_plan", lambda: annual_plan_findings(con, scope, config))
    timed("outlier", lambda: outlier_findings(con, scope, config))
    timed("outlier_activity_cost", lambda: activity_cost_findings(con, scope, config))
    timed("validity_parse", lambda: parse_issue_findings(con, scope))
    if gx_runner is not None:
        timed("validity_gx", lambda: gx_validity_findings(con, scope, gx_runner))
    else:
        # Blank required cells are reported with or without GX (same rule and finding ids).
        timed("validity_not_null", lambda: not_null_findings(con, scope))
    if scope.bapas is not None:
        # Consistency rules and parse issues are evaluated for all Bapas; keep the filter.
        drafts = [d for d in drafts if d.kode_bapas is None or d.kode_bapas in scope.bapas]
    return drafts, register


def run_checks(
    settings: Settings,
    as_of: dt.date | None = None,
    periods: list[str] | None = None,
    *,
    bapas: frozenset[str] | None = None,
    config: QualityConfig | None = None,
    with_gx: bool = True,
    data_docs: bool = True,
    now: dt.datetime | None = None,
) -> CheckSummary:
    """Run every check for the periods (default: the window up to `as_of`) in one transaction."""
    config = config or load_quality_config()
    scope = build_scope(as_of, periods, config.window_months, bapas)
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    timings: dict[str, float] = {}
    docs_dir = settings.reports_dir / "data_docs" if (with_gx and data_docs) else None
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = open_duckdb(str(settings.warehouse_path))
    try:
        start = time.perf_counter()
        ensure_quality_tables(con)
        create_current_views(con)
        register_scope(con, scope)
        timings["setup"] = round(time.perf_counter() - start, 3)
        # GX is imported and its context built only if a submission needs validating.
        gx_runner = LazyRunner(docs_dir) if with_gx else None
        drafts, register = collect_findings(con, scope, config, gx_runner, timings)
        if gx_runner is not None:
            timings["gx_context"] = round(gx_runner.waited, 3)
        kanwil_of = {b.kode_bapas: b.kode_kanwil for b in load_bapas()}
        start = time.perf_counter()
        con.execute("begin transaction")
        try:
            write_register(con, register, scope)
            skipped = (
                frozenset()
                if with_gx
                else frozenset(r.rule_id for r in validity_rules()) - not_null_rule_ids()
            )
            reconciling = time.perf_counter()
            changes = reconcile(con, drafts, moment, kanwil_of, skipped)
            timings["reconcile"] = round(time.perf_counter() - reconciling, 3)
            write_scores(con, register, moment)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        timings["write"] = round(time.perf_counter() - start, 3)
        start = time.perf_counter()
        open_rows = con.execute(
            "select severity, rule_family from quality.findings where status <> 'resolved'"
            " and (periode is null or periode in (select periode from q_scope))"
        ).fetchall()
        timings["summary"] = round(time.perf_counter() - start, 3)
    finally:
        con.close()
        release_fetched_memory()
    summary = CheckSummary(
        as_of=scope.as_of,
        periods=scope.periods,
        by_severity=dict(Counter(sev for sev, _fam in open_rows)),
        by_family=dict(Counter(fam for _sev, fam in open_rows)),
        changes=changes,
        rates=tuple(reporting_rates(register)),
        timings=timings,
        data_docs=str(docs_dir / "index.html") if docs_dir else None,
    )
    logger.info("quality checks done: %s", summary.by_severity)
    return summary
