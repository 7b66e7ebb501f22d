"""Consistency rules evaluated only on submissions without a cached result (issue 16).

A rule that looks inside one submission (its rows, a lookup, a count or an `exists_in` on
another sheet of the same submission) gives the same violating rows for as long as that
submission's rows are unchanged, like a GX validity expectation; the nightly re-judges a
12-month window in which one month is new. Such a rule runs on the submissions
`quality.validity_cache` has no valid result for, and the others' violations come from the
cache. A rule comparing with the previous month depends on another submission and always runs.
"""

from __future__ import annotations

import json

import duckdb

from core.period import utc_now
from quality.model import FindingDraft
from quality.rules.evaluator import compile_scoped, rule_drafts
from quality.rules.spec import ConsistencyRule
from quality.tables import raw_table
from quality.validity_cache import (
    cached_failures,
    count_rows,
    digest_of,
    ensure_cache_tables,
    plan,
    store,
)

TO_CHECK = "q_rule_ids"  # temp table: the submissions a rule is evaluated on this run
IN_SCOPE = "_reporting_period in (select periode from q_scope)"


def evaluate_rules_cached(
    con: duckdb.DuckDBPyConnection,
    rules: tuple[ConsistencyRule, ...],
    *,
    use_cache: bool = True,
) -> list[FindingDraft]:
    """evaluate_rules' findings, each within-submission rule run only where not cached.

    `use_cache=False` evaluates every submission (and refreshes the cache).
    """
    ensure_cache_tables(con)
    identity = {
        str(sid): (str(bapas), str(period))
        for sid, bapas, period in con.execute(
            "select submission_id, kode_bapas, periode from q_ledger_submissions where is_current"
        ).fetchall()
    }
    drafts: list[FindingDraft] = []
    counted: dict[str, str] = {}  # raw table -> its temp table of rows per submission
    for rule in rules:
        query, params, uses_previous = compile_scoped(rule, only=TO_CHECK)
        checked = f"rule:{rule.id}"
        digest = digest_of(query, json.dumps(params, sort_keys=True, default=str))
        table = raw_table(rule.kind, rule.table)
        if table not in counted:
            counted[table] = count_rows(con, table, IN_SCOPE)
        cache = plan(con, counted[table], digest, checked, reuse=use_cache and not uses_previous)
        rows = [
            (sid, *identity.get(sid, ("", "")), row, value)
            for sid, _rule, row, value in cached_failures(con, cache)
        ]
        if cache.stale:
            con.execute(
                f"create or replace temp table {TO_CHECK} as"
                " select unnest(?::varchar[]) as submission_id",
                [sorted(cache.stale)],
            )
            fresh = con.execute(query, params).fetchall()
            rows += [(str(s), str(b), str(p), int(r), v) for s, b, p, r, v in fresh]
            if not uses_previous:
                store(con, cache, [(s, rule.id, r, v) for s, _b, _p, r, v in fresh], utc_now())
        rows.sort(key=lambda r: (r[0], r[3]))
        drafts.extend(rule_drafts(rule, rows))
    return drafts
