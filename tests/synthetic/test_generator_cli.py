"""`lipas generate` arguments: clear exit-2 errors, and a small successful run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import build_app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--start", "2025-13"], "YYYY-MM", id="month 13"),
        pytest.param(["--start", "March 2025"], "YYYY-MM", id="start not a period"),
        pytest.param(["--start", "2025-01", "--months", "0"], "--months", id="zero months"),
        pytest.param(["--start", "2025-01", "--bapas", "some"], "--bapas", id="bapas not a number"),
        pytest.param(["--start", "2025-01", "--bapas", "0"], "--bapas", id="bapas zero"),
        pytest.param(
            ["--start", "2025-01", "--faults", "many"], "--faults", id="unknown fault mode"
        ),
        pytest.param(
            ["--start", "2025-01", "--faults", "copy_of_last_month,no_such_fault"],
            "--faults",
            id="unknown fault name in a list",
        ),
        pytest.param(["--start", "2025-01", "--scale", "0"], "--scale", id="scale zero"),
        pytest.param(["--start", "2025-01", "--workers", "0"], "--workers", id="no workers"),
        pytest.param(["--start", "1990-01"], "no Bapas is active", id="before any Bapas opened"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path: Path, args, message) -> None:
    result = CliRunner().invoke(build_app(), ["generate", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "o").exists()


def test_non_empty_output_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(
        build_app(), ["generate", "--out", str(tmp_path), "--start", "2025-01", "--bapas", "1"]
    )
    assert result.exit_code == 2
    assert "not empty" in " ".join(result.output.split())
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_small_run_writes_files_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    args = [
        "generate",
        "--out",
        str(out),
        "--start",
        "2025-01",
        "--months",
        "2",
        "--seed",
        "5",
        "--bapas",
        "2",
        "--scale",
        "0.02",
        "--faults",
        "none",
        "--workers",
        "1",
    ]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5 and manifest["faults"] == []
    assert manifest["counts"]["files"] == 2 * 2 + 2  # monthly reports + one plan each
    again = CliRunner().invoke(build_app(), [*args, "--overwrite"])
    assert again.exit_code == 0, again.output
