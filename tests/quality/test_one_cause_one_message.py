"""One blank cell gives one finding: the blank-cell rule, not also a consistency rule.

Regression: CONS_SELESAI_REQUIRES_HADIR judged a blank `hadir` as N (`missing: never_skip`), so
a participant with selesai=Y and an empty hadir cell got "hadir wajib diisi" and "selesai=Y
tetapi hadir=N" for the one cause.
"""

from __future__ import annotations

import datetime as dt

import qbuild

from quality.rules.evaluator import evaluate_rule
from quality.rules.spec import load_consistency_rules
from quality.scope import CheckScope, register_scope
from quality.tables import create_current_views
from quality.validity import not_null_findings


def _findings(lipas_home, hadir: object) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    con = qbuild.connect(lipas_home.warehouse_path)
    try:
        rows = qbuild.monthly_rows("BP1101", "2025-03")
        rows["PESERTA"][0].update(selesai=True, hadir=hadir)
        qbuild.add_submission(con, "BP1101", "2025-03", rows)
        create_current_views(con)
        scope = CheckScope(dt.date(2025, 4, 30), ("2025-03",))
        register_scope(con, scope)
        rule = next(r for r in load_consistency_rules() if r.id == "CONS_SELESAI_REQUIRES_HADIR")
        drafts = evaluate_rule(con, rule) + [
            d for d in not_null_findings(con, scope) if d.rule.rule_id.startswith("VAL_PESERTA")
        ]
        return {d.rule.rule_id: d.rows() for d in drafts}
    finally:
        con.close()


def test_blank_hadir_gets_only_the_blank_cell_finding(lipas_home) -> None:  # type: ignore[no-untyped-def]
    assert _findings(lipas_home, None) == {"VAL_PESERTA_HADIR_NOT_NULL": [2]}


def test_hadir_n_with_selesai_y_is_still_inconsistent(lipas_home) -> None:  # type: ignore[no-untyped-def]
    assert _findings(lipas_home, False) == {"CONS_SELESAI_REQUIRES_HADIR": [2]}
