"""Planted-vs-flagged matching rules of `lipas check --evaluate`, and threshold settings."""

from __future__ import annotations

import json

import duckdb
import pytest

from core.settings import ConfigurationError
from quality.config import QualityConfig, load_quality_config
from quality.store import ensure_quality_tables
from synthetic.evaluate import evaluate


def _finding(con, family, bapas, period, rows=(), severity="error", sheet="KLIEN", n=None):  # type: ignore[no-untyped-def]
    samples = json.dumps([{"sheet": sheet, "row": r, "column": "x", "value": None} for r in rows])
    fid = f"f{con.execute('select count(*) from quality.findings').fetchone()[0]}"
    con.execute(
        "insert into quality.findings (finding_id, rule_id, rule_family, severity, kode_bapas,"
        " periode, affected_rows, sample_rows, status) values (?, 'R', ?, ?, ?, ?, ?, ?, 'open')",
        [fid, family, severity, bapas, period, n or max(len(rows), 1), samples],
    )


FAULT = {"family": "consistency", "kode_bapas": "BP1101", "periode": "2025-02",
         "sheet": "KLIEN", "rows": [6]}  # fmt: skip


@pytest.mark.parametrize(
    ("finding", "detected", "false_alarms"),
    [
        pytest.param(("consistency", "BP1101", "2025-02", [6]), 1, 0, id="same rows"),
        pytest.param(("consistency", "BP1101", "2025-02", [7]), 0, 1, id="other row"),
        pytest.param(("validity", "BP1101", "2025-02", [6]), 0, 1, id="other family"),
        pytest.param(("consistency", "BP1102", "2025-02", [6]), 0, 1, id="other bapas"),
        pytest.param(("consistency", "BP1101", "2025-03", [6]), 0, 1, id="other month"),
    ],
)
def test_matching(finding, detected: int, false_alarms: int) -> None:  # type: ignore[no-untyped-def]
    con = duckdb.connect(":memory:")
    ensure_quality_tables(con)
    family, bapas, period, rows = finding
    _finding(con, family, bapas, period, rows)
    result = evaluate(con, {"faults": [FAULT]})
    score = {s.family: s for s in result.families}["consistency"]
    assert (score.detected, len(result.false_alarms)) == (detected, false_alarms)


def test_info_findings_count_for_recall_but_never_as_false_alarms() -> None:
    con = duckdb.connect(":memory:")
    ensure_quality_tables(con)
    _finding(con, "outlier", "BP1101", "2025-07", severity="info")
    _finding(con, "outlier", "BP1102", "2025-07", severity="info")
    fault = {"family": "outlier", "kode_bapas": "BP1101", "periode": "2025-07", "rows": []}
    result = evaluate(con, {"faults": [fault]})
    assert result.perfect


def test_thresholds_from_environment() -> None:
    config = load_quality_config({"LIPAS_OUTLIER_THRESHOLD": "5", "LIPAS_OUTLIER_MIN_HISTORY": "4"})
    assert (config.outlier_threshold, config.outlier_min_history) == (5.0, 4)
    assert load_quality_config({}) == QualityConfig()
    with pytest.raises(ConfigurationError, match="LIPAS_OUTLIER_THRESHOLD"):
        load_quality_config({"LIPAS_OUTLIER_THRESHOLD": "tinggi"})


def test_carry_over_finding_after_a_planted_griya_fault_is_not_a_false_alarm() -> None:
    con = duckdb.connect(":memory:")
    ensure_quality_tables(con)
    con.execute(
        "insert into quality.findings (finding_id, rule_id, rule_family, severity, kode_bapas,"
        " periode, affected_rows, sample_rows, status) values ('f', 'CONS_GRIYA_CARRY_OVER',"
        " 'consistency', 'warning', 'BP1201', '2025-09', 1,"
        ' \'[{"sheet": "GRIYA_ABHIPRAYA", "row": 2}]\', \'open\')'
    )
    fault = {"family": "consistency", "kode_bapas": "BP1201", "periode": "2025-08",
             "sheet": "GRIYA_ABHIPRAYA", "rows": [2]}  # fmt: skip
    assert evaluate(con, {"faults": [fault]}).false_alarms == ()
    fault["periode"] = "2025-07"
    assert len(evaluate(con, {"faults": [fault]}).false_alarms) == 1


def test_rules_skipped_this_run_keep_their_findings() -> None:
    import datetime as dt

    from quality.findings import reconcile
    from quality.model import FindingDraft
    from quality.scope import CheckScope, register_scope
    from quality.validity_specs import validity_rules

    con = duckdb.connect(":memory:")
    ensure_quality_tables(con)
    register_scope(con, CheckScope(dt.date(2025, 4, 20), ("2025-03",)))
    meta = validity_rules()[0]
    draft = FindingDraft(rule=meta, kode_bapas="BP1101", period="2025-03", subject="KLIEN")
    reconcile(con, [draft], dt.datetime(2025, 4, 1), {})
    reconcile(con, [], dt.datetime(2025, 4, 2), {}, frozenset({meta.rule_id}))
    assert con.execute("select status from quality.findings").fetchall() == [("open",)]
    reconcile(con, [], dt.datetime(2025, 4, 3), {})
    assert con.execute("select status from quality.findings").fetchall() == [("resolved",)]


def test_manifest_scope_keeps_every_bapas_after_ingest_moved_the_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Regression: after `lipas ingest --landing DIR` the BP* folders are gone; the scope then
    # held only Bapas with a planted fault, and clean offices were never judged for false alarms.
    from synthetic.evaluate import manifest_scope

    manifest = {"start": "2025-01", "months": 2, "bapas": ["BP1101", "BP1102"], "faults": []}
    assert manifest_scope(manifest, tmp_path).bapas == frozenset({"BP1101", "BP1102"})
