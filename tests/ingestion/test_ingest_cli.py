"""`lipas ingest` and `lipas status`: exit codes, JSON output, rejected files listed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings
from tests.fixtures.ingestion.builders import monthly_report, write_xlsx


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def test_ingest_json_and_status(lipas_home: Settings) -> None:
    write_xlsx(monthly_report(), lipas_home.landing_dir / "good.xlsx")
    (lipas_home.landing_dir / "notes.docx").write_bytes(b"PK not a report")
    runner = CliRunner()
    result = runner.invoke(build_app(), ["ingest", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    status = runner.invoke(build_app(), ["status", "--json"])
    assert status.exit_code == 0
    rows = {(r["report_kind"], r["status"]): r["count"] for r in json.loads(status.stdout)}
    assert rows == {("monthly", "accepted"): 1, ("unknown", "rejected"): 1}


def test_ingest_lists_rejections_with_report_path(lipas_home: Settings) -> None:
    (lipas_home.landing_dir / "scan.pdf").write_bytes(b"%PDF")
    result = CliRunner().invoke(build_app(), ["ingest"])
    assert result.exit_code == 0
    assert "laporan_penolakan.txt" in result.output and "unknown_format" in result.output


def test_missing_landing_folder_is_a_usage_error(lipas_home: Settings) -> None:
    result = CliRunner().invoke(build_app(), ["ingest", "--landing", "/nonexistent/x"])
    assert result.exit_code == 2


def test_prod_without_key_fails_clearly(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_ENV", "prod")
    monkeypatch.delenv("LIPAS_PSEUDONYM_KEY", raising=False)
    result = CliRunner().invoke(build_app(), ["ingest"])
    assert result.exit_code == 2
    assert "LIPAS_PSEUDONYM_KEY" in result.output
