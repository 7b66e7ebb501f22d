"""`lipas build --full-refresh` records the code fingerprint, as the nightly's build does.

Regression: after an upgrade the operator ran `lipas build --full-refresh`, but the stored
fingerprint stayed the old one, so the next nightly announced "full refresh needed" and
rebuilt every incremental fact a second time. Real dbt on a real DuckDB warehouse.
"""

from __future__ import annotations

import dataclasses

import duckdb
import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings
from ingestion.pipeline import ingest_landing
from ingestion.upgrade import code_fingerprint, pending_full_refresh, record_build


@pytest.mark.slow
def test_full_refresh_build_records_the_fingerprint(lipas_home: Settings) -> None:
    ingest_landing(lipas_home)  # an empty run: the ledger and raw tables exist
    current = code_fingerprint()
    # The last build was made from older code: one model differed.
    model = next(name for name in current.parts if name.endswith(".sql"))
    older = dataclasses.replace(current, parts={**current.parts, model: "0" * 64})
    with duckdb.connect(str(lipas_home.warehouse_path)) as con:
        record_build(con, older)
    assert pending_full_refresh(lipas_home.warehouse_path) == [model]

    result = CliRunner().invoke(build_app(), ["build", "--target", "duckdb", "--full-refresh"])

    assert result.exit_code == 0, result.output
    assert pending_full_refresh(lipas_home.warehouse_path) == []
    assert "fingerprint recorded" in result.output
