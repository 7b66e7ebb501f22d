"""Every `lipas` command refuses a bad argument in one line, exit 2, before doing any work.

Regression (issue 14 item 5): `lipas nightly --period 2025-13` ingested, checked, built and
published a snapshot, then failed with a stack trace; `lipas run nosuchjob` printed a 40-line
traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from cli.common import JOB_NAMES

BAD_ARGUMENTS = [
    pytest.param(["nightly", "--period", "2025-13"], "YYYY-MM", id="nightly month 13"),
    pytest.param(["nightly", "--period", "25-03"], "YYYY-MM", id="nightly short year"),
    pytest.param(["run", "nosuchjob"], "nightly", id="run unknown job"),
    pytest.param(["demo", "--months", "0"], "--months", id="demo zero months"),
    pytest.param(["demo", "--scale", "-1"], "--scale", id="demo negative scale"),
    pytest.param(["check", "--period", "2025-00"], "YYYY-MM", id="check month 0"),
    pytest.param(["check", "--as-of", "2025-02-30"], "YYYY-MM-DD", id="check impossible date"),
    pytest.param(
        ["check", "--evaluate", "/nonexistent/_manifest.json"],
        "manifest",
        id="check missing manifest",
    ),
    pytest.param(["build", "--target", "oracle"], "duckdb", id="build unknown target"),
    pytest.param(["build", "--as-of", "yesterday"], "YYYY-MM-DD", id="build bad as-of"),
    pytest.param(["report", "--period", "2025-3"], "YYYY-MM", id="report one-digit month"),
    pytest.param(
        ["report", "--period", "2025-03", "--lang", "fr"], "--lang", id="report unknown language"
    ),
    pytest.param(
        ["report", "--period", "2025-03", "--as-of", "11/03/2025"],
        "YYYY-MM-DD",
        id="report bad as-of",
    ),
    pytest.param(
        ["template", "--bapas", "BP1101", "--year", "20255"],
        "four-digit",
        id="template five-digit year",
    ),
    pytest.param(
        ["template", "--bapas", "BP1101", "--period", "2025-13"], "YYYY-MM", id="template month 13"
    ),
    pytest.param(
        ["generate", "--out", "x", "--start", "2025-13"], "YYYY-MM", id="generate month 13"
    ),
    pytest.param(["publish", "--threshold", "0"], "--threshold", id="publish zero threshold"),
    pytest.param(["sql", "select 1", "--max-rows", "0"], "--max-rows", id="sql zero rows"),
]


@pytest.mark.parametrize(("args", "expected"), BAD_ARGUMENTS)
def test_bad_argument_is_one_line_exit_2_and_no_work(
    args: list[str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("LIPAS_HOME", str(home))
    monkeypatch.chdir(tmp_path)

    def no_job(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a job ran despite a bad argument")

    monkeypatch.setattr("orchestration.instance.run_job", no_job)
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error:") and expected in lines[0]
    assert "Traceback" not in result.output
    # Nothing was touched: not even LIPAS_HOME's folders were created.
    assert not home.exists()
    assert not (tmp_path / "x").exists()


def test_job_names_match_the_definitions() -> None:
    """The CLI's job list (checked without importing Dagster) is the Definitions' job list."""
    from orchestration.definitions import defs

    jobs = {job.name for job in defs().resolve_all_job_defs()} - {"__ASSET_JOB"}
    assert set(JOB_NAMES) == jobs


def test_help_screens_show_no_bool_after_flags() -> None:
    """Regression (issue 14 item 10): every help screen printed `<bool>` after the flags."""
    import typer

    app = build_app()
    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert "check" in names and "nightly" in names
    for name in names:
        result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (name, result.output)
        assert "<bool>" not in result.output, name
    check = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "120"})
    assert "<str>" in check.output and "--json" in check.output
