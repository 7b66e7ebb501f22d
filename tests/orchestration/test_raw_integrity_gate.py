"""The real ingestion asset and raw-integrity gate in Dagster, on a landing with a NIK and a NIP.

Issue #11 item 3: one NIK pasted into no_register (or a NIP in a file name) stopped the night
for every Bapas, permanently. Only the ingest asset, the gate and one downstream probe run.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import dagster as dg
import duckdb
import pytest

from core.settings import Settings
from ingestion.load import parquet_path
from orchestration.defs.ingestion_assets import (
    LEDGER_SUBMISSIONS,
    build_ingestion_asset,
    raw_integrity,
)
from orchestration.defs.resources import LipasResource
from tests.fixtures.ingestion.builders import NIKS, monthly_report, set_mtime, write_xlsx
from tests.ingestion.ingest_helpers import query, run_ingest
from tests.quality.test_raw_integrity import NIP, long_runs

HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
# Dagster's step events carry the step's duration as a raw float: a sub-millisecond step
# prints sixteen digits after the point (duration_ms=0.7929550025146455), which is no NIK.
DURATION = re.compile(r"duration_ms=[0-9.e+-]+")
pytestmark = pytest.mark.slow
LONG = re.compile(r"\d{16,}")


def _plant_previous_night(settings: Settings) -> str:
    """A clean report loaded, then a NIK in its stored rows: what a pre-fix night left."""
    path = write_xlsx(monthly_report(period="2025-02"), settings.landing_dir / "feb.xlsx")
    set_mtime(path, dt.datetime(2025, 3, 5))
    assert run_ingest(settings).accepted == 1
    con = duckdb.connect(str(settings.warehouse_path))
    sid = str(con.execute("select submission_id from ledger.submissions").fetchone()[0])  # type: ignore[index]
    con.execute("update raw.monthly_klien set no_register = ? where _row_number = 2", [NIKS[3]])
    con.close()
    parquet = parquet_path(settings.raw_dir, "monthly_klien", sid)
    con = duckdb.connect()
    con.execute(
        "copy (select * replace (case when _row_number = 2 then ? else no_register end"
        " as no_register) from read_parquet(?)) to '" + str(parquet) + ".new' (format parquet)",
        [NIKS[3], str(parquet)],
    )
    con.close()
    parquet.with_name(parquet.name + ".new").replace(parquet)
    assert long_runs(settings)
    return sid


def test_night_goes_past_the_gate_and_no_log_carries_a_nik(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")
    legacy = _plant_previous_night(lipas_home)
    report = monthly_report()
    report.sheets["KLIEN"][1]["no_register"] = NIKS[1]
    write_xlsx(report, lipas_home.landing_dir / f"BP3201 maret NIP {NIP}.xlsx")
    reached: list[bool] = []

    @dg.asset(deps=[LEDGER_SUBMISSIONS])
    def after_gate() -> None:
        """Stands in for dbt: runs only when the blocking gate passed."""
        reached.append(True)

    caplog.set_level(logging.DEBUG)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [build_ingestion_asset(), raw_integrity, after_gate],
        resources={"lipas": LipasResource(home=str(lipas_home.home))},
        instance=instance,
        raise_on_error=False,
    )
    assert result.success
    assert reached == [True]
    checks = result.get_asset_check_evaluations()
    assert [c.passed for c in checks] == [True]
    isolated = checks[0].metadata["isolated"].value
    assert [i["submission_id"] for i in isolated] == [legacy]  # type: ignore[index,union-attr]

    finding = query(
        lipas_home,
        "select rule_id, kode_bapas, periode, status from quality.findings",
    )
    assert finding == [("VAL_LONG_NUMBER", "BP3201", "2025-02", "open")]
    assert query(
        lipas_home,
        "select count(*) from ledger.row_issues where issue_code = 'file_name_long_number'",
    ) == [(1,)]
    assert long_runs(lipas_home) == []
    events = "\n".join(repr(e) for e in instance.all_logs(result.run_id))
    assert "isolated" in events and legacy in events  # the scan below reads the metadata
    for text in (events, caplog.text):
        assert LONG.findall(DURATION.sub("<ms>", HEX_DIGEST.sub("<sha>", text))) == []
