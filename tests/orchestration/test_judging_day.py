"""One judging day and one judging window, resolved the same way for every command and job.

Regression (issue 14 item 4): LIPAS_AS_OF was documented as the judging day but `lipas check`
and `lipas build` ignored it (only Dagster jobs read it), leaving register rows of two days.
Regression (issue 14 item 3): the demo's 3-month window lived only inside `lipas demo`, so the
schedule or any later `lipas nightly` judged 12 months; rerunning `make demo` did not undo it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import ConfigurationError, Settings
from quality.config import (
    jakarta_today,
    judging_day,
    load_quality_config,
    read_instance_settings,
    write_instance_settings,
)

FILE_DAY = dt.date(2025, 6, 11)


def test_precedence_flag_then_variable_then_instance_file_then_today(tmp_path: Path) -> None:
    assert judging_day(None, {}, tmp_path) == jakarta_today()
    write_instance_settings(tmp_path, as_of=FILE_DAY, window_months=4, written_by="test")
    assert judging_day(None, {}, tmp_path) == FILE_DAY
    env = {"LIPAS_AS_OF": "2025-05-02"}
    assert judging_day(None, env, tmp_path) == dt.date(2025, 5, 2)
    assert judging_day(dt.date(2025, 1, 1), env, tmp_path) == dt.date(2025, 1, 1)
    assert load_quality_config({}, tmp_path).window_months == 4
    assert load_quality_config({"LIPAS_QUALITY_WINDOW_MONTHS": "2"}, tmp_path).window_months == 2
    # An explicit mapping without a home reads no file: tests see only what they pass.
    assert load_quality_config({}).window_months == 12
    with pytest.raises(ConfigurationError, match="LIPAS_AS_OF"):
        judging_day(None, {"LIPAS_AS_OF": "11/06/2025"}, tmp_path)


def test_jakarta_day_turns_at_jakarta_midnight() -> None:
    late_utc = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)
    assert jakarta_today(late_utc) == dt.date(2026, 1, 1)


def test_check_reads_lipas_as_of_and_the_instance_window(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run_checks(settings: Settings, **kwargs: Any) -> None:
        calls.append(kwargs)
        raise SystemExit(0)

    monkeypatch.setattr("quality.runner.run_checks", fake_run_checks)
    runner = CliRunner()
    monkeypatch.setenv("LIPAS_AS_OF", "2025-04-20")
    assert runner.invoke(build_app(), ["check", "--no-gx"]).exit_code == 0
    assert calls[-1]["as_of"] == dt.date(2025, 4, 20)
    assert runner.invoke(build_app(), ["check", "--as-of", "2025-04-02"]).exit_code == 0
    assert calls[-1]["as_of"] == dt.date(2025, 4, 2)
    monkeypatch.delenv("LIPAS_AS_OF")
    write_instance_settings(lipas_home.home, as_of=FILE_DAY, window_months=3, written_by="t")
    assert runner.invoke(build_app(), ["check"]).exit_code == 0
    assert calls[-1]["as_of"] == FILE_DAY
    # The runner's own config (what the schedule's job uses) sees the same window.
    assert load_quality_config().window_months == 3
    bad = runner.invoke(build_app(), ["check"], env={"LIPAS_AS_OF": "kemarin"})
    assert bad.exit_code == 2 and "LIPAS_AS_OF" in bad.output


def test_build_passes_the_judging_day_to_dbt(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list[str], dict[str, str]]] = []

    def fake_run_dbt(args: list[str], env: Any, on_line: Any = None) -> Any:
        seen.append((list(args), dict(env)))
        return SimpleNamespace(success=True, seconds=0.1, counts={"success": 1}, output="")

    monkeypatch.setattr("orchestration.dbt_invocation.run_dbt", fake_run_dbt)
    monkeypatch.setenv("LIPAS_AS_OF", "2025-04-20")
    result = CliRunner().invoke(build_app(), ["build", "--target", "duckdb"])
    assert result.exit_code == 0, result.output
    args, env = seen[-1]
    # By env, not --vars: a --vars that changes daily costs dbt a full re-parse (issue 16).
    assert env["LIPAS_DBT_AS_OF"] == "2025-04-20" and "--vars" not in args


def test_dagster_resource_reads_the_instance_file(lipas_home: Settings) -> None:
    from orchestration.defs.resources import LipasResource

    write_instance_settings(lipas_home.home, as_of=FILE_DAY, window_months=3, written_by="t")
    assert LipasResource(home=str(lipas_home.home)).as_of_date() == FILE_DAY
    assert LipasResource(home=str(lipas_home.home), as_of="2025-01-31").as_of_date() == (
        dt.date(2025, 1, 31)
    )


def test_demo_starts_clean_and_persists_its_window(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    nightly_windows: list[int] = []

    def fake_generate(out: Path, **kwargs: Any) -> Any:
        out.mkdir(parents=True, exist_ok=True)
        (out / "_manifest.json").write_text("{}", encoding="utf-8")
        return SimpleNamespace(bapas=1, manifest_path=out / "_manifest.json")

    def fake_nightly(settings: Settings, period: str | None, send: bool) -> None:
        nightly_windows.append(load_quality_config().window_months)

    monkeypatch.setattr("synthetic.generate.generate", fake_generate)
    monkeypatch.setattr("synthetic.deliver.deliver", lambda *a, **k: 0)
    monkeypatch.setattr("cli.nightly_cmd._run_nightly", fake_nightly)
    stale = lipas_home.warehouse_path
    stale.write_text("yesterday's warehouse", encoding="utf-8")
    (lipas_home.reports_dir / "old.md").write_text("old", encoding="utf-8")
    (lipas_home.home / "generated").mkdir()
    (lipas_home.home / "generated" / "_manifest.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["demo", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert not stale.exists() and not (lipas_home.reports_dir / "old.md").exists()
    stored = read_instance_settings(lipas_home.home)
    assert stored["window_months"] == 4 and stored["as_of"] == jakarta_today().isoformat()
    # What the demo's run judged is what every later command and job judges.
    assert nightly_windows == [4] and load_quality_config().window_months == 4
    assert judging_day() == jakarta_today()


def test_demo_never_wipes_a_home_it_did_not_make(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.nightly_cmd._run_nightly", _never)
    (lipas_home.landing_dir / "BP1101_2025-03.xlsx").write_bytes(b"real submission")
    result = CliRunner().invoke(build_app(), ["demo"])
    assert result.exit_code == 2
    assert "not made by `lipas demo`" in " ".join(result.output.split())
    assert (lipas_home.landing_dir / "BP1101_2025-03.xlsx").exists()


def _never(*_args: object) -> None:
    raise AssertionError("the demo ran on a foreign LIPAS_HOME")
