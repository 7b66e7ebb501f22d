"""End to end on generated data: every planted fault is flagged, clean data raises no alarm.

The generator plants faults of every family and writes `_manifest.json`; ingestion loads the
files; the checks run over the manifest's months and Bapas; `synthetic.evaluate` matches findings
to planted faults on family + Bapas + period (+ rows where given).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion.pipeline import ingest_landing
from quality.runner import run_checks
from synthetic.evaluate import evaluate, load_manifest, manifest_scope
from synthetic.generate import generate


def _generate_ingest_check(settings, out: Path, faults: str):  # type: ignore[no-untyped-def]
    generate(out, "2025-01", 8, 7, bapas=4, faults=faults, scale=0.02, workers=1)
    ingest_landing(settings, out, remove_processed=False)
    manifest = load_manifest(out / "_manifest.json")
    scope = manifest_scope(manifest, out)
    run_checks(settings, as_of=scope.as_of, periods=scope.months, bapas=scope.bapas,
               data_docs=False)  # fmt: skip
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return manifest, evaluate(con, manifest)
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.xdist_group("quality_generated_faults")
def test_every_planted_fault_is_flagged(lipas_home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manifest, result = _generate_ingest_check(lipas_home, tmp_path / "gen", "default")
    planted = {f["family"] for f in manifest["faults"]}
    assert planted == {s.family for s in result.families if s.planted or s.fixed}
    assert result.missed == (), result.missed
    assert all(s.recall == 1.0 for s in result.families if s.planted)
    assert all(s.fixed_still_open == 0 for s in result.families)
    assert result.false_alarms == (), result.false_alarms


@pytest.mark.slow
@pytest.mark.xdist_group("quality_generated_clean")
def test_clean_data_raises_no_error_or_warning(lipas_home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manifest, result = _generate_ingest_check(lipas_home, tmp_path / "gen", "none")
    assert manifest["faults"] == []
    assert result.false_alarms == (), result.false_alarms


CLERK_MISTAKES = (
    "child_reported_as_dewasa,start_date_as_birth_date,cost_in_thousands,total_row_in_kegiatan,"
    "status_not_updated,planned_end_before_start,pks_dates_swapped,ended_client_reported_active,"
    "total_row_in_klien,status_date_before_start,"
    "duplicate_activity_row,same_client_two_registers,copy_of_last_month,pokmas_of_other_bapas"
)


@pytest.mark.slow
@pytest.mark.xdist_group("quality_generated_clerk")
def test_every_clerk_mistake_is_flagged_by_its_cause(lipas_home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Issue 12: hand-planted clerk mistakes went unflagged (a 16-year-old as DEWASA, costs in
    # thousands, one NIK under two register numbers, last month's workbook resent). The
    # generator now plants them; each is caught by the rule that names its cause, and their
    # knock-on effects raise no unexplained alarm.
    out = tmp_path / "gen"
    generate(out, "2025-01", 3, 7, bapas=6, faults=CLERK_MISTAKES, scale=0.05, workers=1)
    ingest_landing(lipas_home, out, remove_processed=False)
    manifest = load_manifest(out / "_manifest.json")
    scope = manifest_scope(manifest, out)
    run_checks(lipas_home, as_of=scope.as_of, periods=scope.months, bapas=scope.bapas,
               data_docs=False)  # fmt: skip
    con = duckdb.connect(str(lipas_home.warehouse_path), read_only=True)
    try:
        result = evaluate(con, manifest)
    finally:
        con.close()
    assert {f["fault"] for f in manifest["faults"]} == set(CLERK_MISTAKES.split(","))
    assert result.missed == (), result.missed
    assert result.false_alarms == (), result.false_alarms
    expected = {
        "M21 child_as_dewasa": "CONS_DEWASA_18_PLUS",
        "M29 cost_in_thousands": "CONS_BIAYA_RIBUAN",
        "M41 client_two_registers": "DUP_CLIENT_TWO_REGISTERS",
        "M42 copy_of_last_month": "DUP_COPY_LAST_MONTH",
    }
    by_mistake = {m.mistake: m for m in result.mistakes}
    for mistake, rule_id in expected.items():
        assert by_mistake[mistake].recall == 1.0 and rule_id in by_mistake[mistake].rule_ids
