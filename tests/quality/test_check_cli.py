"""`lipas check` prints findings by severity and family, and JSON for machines."""

from __future__ import annotations

import datetime as dt
import json

import qbuild
from typer.testing import CliRunner

from cli.app import build_app


def test_check_json_and_table(lipas_home) -> None:  # type: ignore[no-untyped-def]
    con = qbuild.connect(lipas_home.warehouse_path)
    qbuild.add_submission(
        con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
        received_at=dt.datetime(2025, 4, 15),
        mutate=lambda rows: rows["KLIEN"][0].update(wajib_lapor_hadir=9),
    )  # fmt: skip
    con.close()
    runner = CliRunner()
    args = ["check", "--period", "2025-03", "--as-of", "2025-04-20", "--no-gx"]
    result = runner.invoke(build_app(), [*args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    late = [f for f in payload["findings"] if f["rule_id"] == "TIME_LATE"
            and f["kode_bapas"] == "BP1101"]  # fmt: skip
    assert late and "5 hari" in late[0]["message_id"]
    assert payload["by_family"]["consistency"] == 1
    table = runner.invoke(build_app(), args)
    assert table.exit_code == 0
    assert "consistency" in table.output and "PLAN_MISSING" in table.output


def test_bad_options_exit_with_a_clear_message(lipas_home) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    result = runner.invoke(build_app(), ["check", "--as-of", "20-04-2025"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    result = runner.invoke(build_app(), ["check", "--evaluate", "/nonexistent/_manifest.json"])
    assert result.exit_code == 2
