"""The one evaluator: compiles each declarative rule into SQL over the current raw views.

Identifiers come only from the contract (checked by quality.tables); literals are bound as
named parameters, so a rule file can never inject SQL. The judging window's periods are the one
exception: every view a rule reads is filtered on them as checked constants
(quality.scope.period_filter), so a rule reads the window's row groups, not all history.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from quality.model import IMPORTANCE_TO_SEVERITY, MAX_SAMPLE_ROWS, FindingDraft, RuleMeta, SampleRow
from quality.rules.spec import Condition, ConsistencyRule, Operand
from quality.scope import period_filter, previous_periods
from quality.tables import SENSITIVE_COLUMNS, check_column, current_view

logger = logging.getLogger(__name__)

COMPARISONS = {"==": "=", "!=": "<>", "<=": "<=", ">=": ">=", "<": "<", ">": ">"}
PREVIOUS_PERIOD = "strftime(cast(t._reporting_period || '-01' as date) - interval 1 month, '%Y-%m')"


@dataclass
class _Sql:
    """Accumulates bound parameters while a rule is compiled."""

    rule: ConsistencyRule
    periods: Sequence[str] | None = None  # the judging window (None: read q_scope in SQL)
    params: dict[str, object] = field(default_factory=dict)
    uses_previous: bool = False

    def bind(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def col(self, alias: str, sheet: str, column: str) -> str:
        return f"{alias}.{check_column(self.rule.kind, sheet, column)}"

    def operand(self, op: Operand) -> tuple[str, list[str]]:
        """(SQL expression, expressions whose NULL means 'missing')."""
        rule = self.rule
        if op.column is not None:
            expr = self.col("t", rule.table, op.column)
            return expr, [expr]
        if op.lookup is not None:
            if rule.lookup is None:
                raise ValueError(f"{rule.id}: {{lookup: ...}} needs a `lookup` on the rule")
            expr = self.col("lk", rule.lookup.sheet, op.lookup)
            return expr, [expr]
        if op.previous is not None:
            self.uses_previous = True
            expr = self.col("pv", rule.table, op.previous)
            return expr, [expr]
        if op.count is not None:
            view = current_view(rule.kind, op.count.sheet)
            conds = ["c.submission_id = t.submission_id", period_filter("c", self.periods)] + [
                f"{self.col('c', op.count.sheet, other)} = {self.col('t', rule.table, mine)}"
                for mine, other in op.count.keys
            ]
            return f"(select count(*) from {view} c where {' and '.join(conds)})", []
        if op.sum is not None:
            plus = [self.operand(o) for o in op.sum]
            minus = [self.operand(o) for o in op.minus]
            expr = " + ".join(e for e, _ in plus) + "".join(f" - {e}" for e, _ in minus)
            return f"({expr})", [m for _, ms in plus + minus for m in ms]
        return self.bind(op.value), []

    def exists(self, left: Operand, right: Operand) -> str:
        if left.columns is None or right.columns is None or right.sheet is None:
            raise ValueError(f"{self.rule.id}: exists_in needs left.columns, right.sheet/columns")
        if len(left.columns) != len(right.columns):
            raise ValueError(f"{self.rule.id}: exists_in column lists differ in length")
        view = current_view(self.rule.kind, right.sheet)
        conds = ["x.submission_id = t.submission_id", period_filter("x", self.periods)] + [
            f"{self.col('x', right.sheet, o)} = {self.col('t', self.rule.table, m)}"
            for m, o in zip(left.columns, right.columns, strict=True)
        ]
        for cond in right.where:
            if cond.left.column is None or cond.right is None:
                raise ValueError(f"{self.rule.id}: exists_in where needs column op value")
            target = self.col("x", right.sheet, cond.left.column)
            conds.append(f"{target} {COMPARISONS[cond.operator]} {self.bind(cond.right.value)}")
        return f"exists (select 1 from {view} x where {' and '.join(conds)})"

    def holds(self, cond: Condition | ConsistencyRule) -> tuple[str, list[str]]:
        """SQL that is TRUE when the condition holds (NULL when it cannot be decided)."""
        op = cond.operator
        if op in ("exists_in", "not_exists_in"):
            if cond.right is None:
                raise ValueError(f"{self.rule.id}: {op} needs a right side")
            sql = self.exists(cond.left, cond.right)
            missing = [self.col("t", self.rule.table, c) for c in cond.left.columns or ()]
            return (sql if op == "exists_in" else f"not {sql}"), missing
        left, left_missing = self.operand(cond.left)
        if op == "not_null":
            return f"({left} is not null)", []
        if op == "is_null":
            return f"({left} is null)", []
        if op in ("matches", "not_matches"):
            # Case-insensitive regular expression on the text of the value (a label a clerk
            # typed into a data column, e.g. TOTAL); a NULL never matches.
            if cond.right is None or not isinstance(cond.right.value, str):
                raise ValueError(f"{self.rule.id}: {op} needs a right side {{value: regex}}")
            pattern = self.bind(cond.right.value)
            found = f"coalesce(regexp_matches(cast({left} as varchar), {pattern}, 'i'), false)"
            return (found if op == "matches" else f"not {found}"), []
        if cond.right is None:
            raise ValueError(f"{self.rule.id}: operator {op} needs a right side")
        right, right_missing = self.operand(cond.right)
        if op == "compulsory_pair":
            return f"(({left} is null) = ({right} is null))", []
        if op == "exclusive_pair":
            return f"not ({left} is not null and {right} is not null)", []
        return f"({left} {COMPARISONS[op]} {right})", left_missing + right_missing


def compile_rule(
    rule: ConsistencyRule, periods: Sequence[str] | None = None
) -> tuple[str, dict[str, object]]:
    """SQL returning one row per violating row: submission, Bapas, period, row, left value.

    `periods` is the judging window (the rows of q_scope); without it the SQL reads q_scope.
    """
    sql = _Sql(rule, periods)
    table_view = current_view(rule.kind, rule.table)
    where = [period_filter("t", periods)]
    for cond in rule.when:
        expr, _ = sql.holds(cond)
        where.append(f"coalesce({expr}, {'true' if cond.if_missing else 'false'})")
    holds, missing = sql.holds(rule)
    if missing and rule.missing == "skip_if_any_missing":
        where.extend(f"{m} is not null" for m in missing)
    elif missing and rule.missing == "skip_if_all_missing":
        where.append("(" + " or ".join(f"{m} is not null" for m in missing) + ")")
    where.append(f"not coalesce({holds}, false)")
    left_expr = (
        sql.operand(rule.left)[0]
        if rule.left.columns is None
        else (sql.col("t", rule.table, rule.left.columns[0]))
    )
    joins = ""
    if rule.lookup is not None:
        lk_view = current_view(rule.kind, rule.lookup.sheet)
        on = " and ".join(
            f"{sql.col('lk', rule.lookup.sheet, o)} = {sql.col('t', rule.table, m)}"
            for m, o in rule.lookup.keys
        )
        joins += (
            f" left join {lk_view} lk on lk.submission_id = t.submission_id"
            f" and {period_filter('lk', periods)} and {on}"
        )
    if sql.uses_previous:
        before = previous_periods(periods)
        joins += (
            f" left join {table_view} pv on pv.kode_bapas = t.kode_bapas"
            f" and pv._reporting_period = {PREVIOUS_PERIOD}"
            + (f" and {period_filter('pv', before)}" if before else "")
        )
    query = (
        f"select t.submission_id, t.kode_bapas, t._reporting_period, t._row_number,"
        f" cast({left_expr} as varchar) as value"
        f" from {table_view} t{joins} where {' and '.join(where)}"
        " order by t.submission_id, t._row_number"
    )
    return query, sql.params


def rule_meta(rule: ConsistencyRule) -> RuleMeta:
    """Catalogue entry of a declarative rule."""
    return RuleMeta(
        rule_id=rule.id,
        family=rule.family,
        severity=IMPORTANCE_TO_SEVERITY[rule.importance],
        definition=rule.definition,
        message_id=rule.message_id,
        message_en=rule.message_en,
        hint_id=rule.hint_id,
        hint_en=rule.hint_en,
    )


def _left_column(rule: ConsistencyRule) -> str | None:
    if rule.left.columns:
        return rule.left.columns[0]
    return rule.left.column


def scope_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The judging window register_scope wrote into q_scope."""
    return [str(r[0]) for r in con.execute("select periode from q_scope").fetchall()]


def evaluate_rule(
    con: duckdb.DuckDBPyConnection, rule: ConsistencyRule, periods: Sequence[str] | None = None
) -> list[FindingDraft]:
    """Run one rule; one finding per submission with every violating row counted."""
    query, params = compile_rule(rule, scope_periods(con) if periods is None else periods)
    rows = con.execute(query, params).fetchall()
    meta = rule_meta(rule)
    checked = _left_column(rule)
    column = rule.report_column or checked
    grouped: dict[tuple[str, str, str], list[tuple[int, str | None]]] = {}
    for submission_id, kode_bapas, period, row_number, value in rows:
        grouped.setdefault((submission_id, kode_bapas, period), []).append((row_number, value))
    drafts = []
    for (submission_id, kode_bapas, period), hits in grouped.items():
        samples = tuple(
            SampleRow(rule.table, row, column, None if checked in SENSITIVE_COLUMNS else value)
            for row, value in hits[:MAX_SAMPLE_ROWS]
        )
        drafts.append(
            FindingDraft(
                rule=meta,
                kode_bapas=kode_bapas,
                period=period,
                subject=rule.table,
                report_kind=rule.kind,
                submission_id=submission_id,
                affected_rows=len(hits),
                samples=samples,
                params={"sheet": rule.table, "column": column or ""},
            )
        )
    logger.debug("rule %s: %d violating rows", rule.id, len(rows))
    return drafts


def evaluate_rules(
    con: duckdb.DuckDBPyConnection, rules: tuple[ConsistencyRule, ...]
) -> list[FindingDraft]:
    """Every rule in turn (needs create_current_views and the q_scope temp table)."""
    periods = scope_periods(con)
    return [d for rule in rules for d in evaluate_rule(con, rule, periods)]
