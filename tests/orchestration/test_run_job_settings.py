"""Jobs get their home and judging day as arguments and run config, never via os.environ."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings, load_settings
from orchestration.instance import JobOutcome, run_job, with_lipas_config


def test_run_job_runs_in_the_given_home_and_leaves_the_environment_alone(
    lipas_home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A home other than LIPAS_HOME (a test's, a benchmark's) is where the run happens.

    run_job used to write LIPAS_HOME and DAGSTER_HOME into os.environ, so every later run and
    module in the process silently used the last run's home.
    """
    import dagster as dg

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    before = dict(os.environ)
    other = load_settings(home=tmp_path / "other-home")
    other.ensure_dirs()
    outcome = run_job(other, "ingest_on_arrival", quiet=True)
    assert outcome.success, outcome.failure_message
    assert outcome.log_path is not None and outcome.log_path.is_relative_to(other.home)
    assert dict(os.environ) == before
    with dg.DagsterInstance.from_config(str(other.dagster_home)) as instance:
        assert instance.get_run_by_id(outcome.run_id) is not None
    assert not any(lipas_home.dagster_home.glob("*.db")) and not any(
        (lipas_home.home / "logs").glob("*")
    )


def test_with_lipas_config_keeps_the_callers_config() -> None:
    given: dict[str, Any] = {
        "ops": {"quality_alert_summary": {"config": {"send": False}}},
        "resources": {"lipas": {"config": {"as_of": "2025-01-31"}}, "mail": {"config": {}}},
    }
    merged = with_lipas_config(given, home=Path("/srv/lipas"))
    assert merged["ops"] == given["ops"]
    assert merged["resources"]["mail"] == {"config": {}}
    assert merged["resources"]["lipas"]["config"] == {"as_of": "2025-01-31", "home": "/srv/lipas"}
    dated = with_lipas_config(None, home=Path("/h"), as_of=dt.date(2025, 3, 15))
    assert dated == {"resources": {"lipas": {"config": {"home": "/h", "as_of": "2025-03-15"}}}}
    assert "home" not in given["resources"]["lipas"]["config"]  # the caller's dict is untouched


def test_nightly_as_of_reaches_the_job_as_an_argument(
    lipas_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lipas nightly --as-of` used to export LIPAS_AS_OF for the job's resources to find."""
    calls: list[dict[str, Any]] = []

    def fake_run_job(settings: Settings, job: str, **kwargs: Any) -> JobOutcome:
        calls.append({"home": settings.home, "job": job, **kwargs})
        return JobOutcome(success=True, run_id="run-1", seconds=0.1)

    monkeypatch.setattr("orchestration.instance.run_job", fake_run_job)
    monkeypatch.delenv("LIPAS_AS_OF", raising=False)
    result = CliRunner().invoke(build_app(), ["nightly", "--no-send", "--as-of", "2025-03-15"])
    assert result.exit_code == 0, result.output
    assert [(c["home"], c["job"], c["as_of"]) for c in calls] == [
        (lipas_home.home, "nightly", dt.date(2025, 3, 15))
    ]
    assert "LIPAS_AS_OF" not in os.environ
