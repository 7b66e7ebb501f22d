"""End to end on the synthetic generator's output: every file lands where its manifest says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.settings import Settings
from synthetic.generate import generate
from tests.ingestion.ingest_helpers import landing_files, query, run_ingest

# The generator's rejected_file faults and the error code each must produce.
EXPECTED_CODE = {
    "truncated_xlsx": "unreadable",
    "encrypted_workbook": "encrypted",
    "malformed_sheet_xml": "malformed_xml",
    "zip_bomb": "zip_bomb",
    "unknown_bapas": "unknown_bapas",
    "bad_period": "bad_period",
    "missing_sheet": "missing_sheet",
    "missing_column": "missing_column",
}


@pytest.mark.slow
def test_generated_months_ingest_as_the_manifest_says(
    lipas_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "2")
    out = tmp_path / "generated"
    generate(
        out, start="2025-01", months=3, seed=11, bapas=6, scale=0.05, messy_share=0.5, workers=1
    )
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    shutil.copytree(out, lipas_home.landing_dir, dirs_exist_ok=True)  # manifest is ignored

    summary = run_ingest(lipas_home)

    ledger = {
        str(path): (str(status), code, json.loads(str(counts)) if counts else None)
        for path, status, code, counts in query(
            lipas_home,
            "SELECT original_path, status, error_code, row_counts FROM ledger.submissions",
        )
    }
    expected_files = {f["file"] for f in manifest["files"]}
    assert set(ledger) == expected_files
    replaced = {r["replaces"] for r in manifest["resubmissions"]}
    assert any(f.get("rejected") for f in manifest["files"]), "the run must include refusals"
    for item in manifest["files"]:
        status, code, counts = ledger[item["file"]]
        if item.get("rejected"):
            assert (status, code) == ("rejected", EXPECTED_CODE[item["rejected"]]), item
        else:
            assert status == ("superseded" if item["file"] in replaced else "accepted"), item
            assert counts == item["rows"], item["file"]
    assert summary.rows_loaded == sum(
        sum(f["rows"].values()) for f in manifest["files"] if not f.get("rejected")
    )
    assert [p.name for p in landing_files(lipas_home)] == ["_manifest.json"]
