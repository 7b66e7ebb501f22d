"""A failed nightly run still reaches the alert (issue 14, lineage item; DESIGN §6).

The alert step now follows the marts and their blocking checks, so a run that fails upstream
skips it; the `alert_after_failed_nightly` sensor then requests one `alert_only` run, whose
digest lists the failed run. Real Dagster instance, real definitions, real failed run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from core.period import jakarta_today
from core.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nightly")]


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        yield instance


def _failed_nightly(
    definitions: dg.Definitions, instance: dg.DagsterInstance, home: Settings
) -> dg.ExecuteInProcessResult:
    """A nightly run that fails at ingestion: a folder stands where the DuckDB file belongs."""
    from orchestration.instance import with_lipas_config

    home.warehouse_path.mkdir(parents=True)
    config = {"ops": {"quality_alert_summary": {"config": {"send": False}}}}
    result = definitions.resolve_job_def("nightly").execute_in_process(
        run_config=with_lipas_config(config, home=home.home),
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    return result


def _evaluate(
    instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult
) -> dg.RunRequest | dg.SkipReason:
    from orchestration.defs.alert_fallback import alert_after_failed_nightly

    context = dg.build_run_status_sensor_context(
        sensor_name="alert_after_failed_nightly",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    )
    outcome = alert_after_failed_nightly(context)
    assert isinstance(outcome, (dg.RunRequest, dg.SkipReason))
    return outcome


def test_failed_nightly_gets_one_alert_run_whose_digest_lists_it(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    lipas_home: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from orchestration.defs.alert_fallback import ALERT_FOR_RUN_TAG, alert_step_succeeded

    monkeypatch.delenv("LIPAS_AS_OF", raising=False)  # failures are listed near the judging day
    failed = _failed_nightly(definitions, instance, lipas_home)
    run_id = failed.run_id
    assert not alert_step_succeeded(instance, run_id)
    # Nothing recorded the failure yet: the sensor may be evaluated before run_failure_alert.
    assert not (lipas_home.reports_dir / "run_failures.jsonl").exists()

    request = _evaluate(instance, failed)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == f"alert-after-{run_id}"
    assert request.tags[ALERT_FOR_RUN_TAG] == run_id
    # The failed run's options and home go with it, and only what the alert job accepts.
    config = request.run_config
    assert set(config["ops"]) == {"quality_alert_summary"}
    assert config["ops"]["quality_alert_summary"]["config"]["send"] is False
    assert config["resources"]["lipas"]["config"]["home"] == str(lipas_home.home)
    recorded = (lipas_home.reports_dir / "run_failures.jsonl").read_text().splitlines()
    assert [json.loads(line)["run_id"] for line in recorded] == [run_id]

    # The same failed run evaluated again (a daemon restart, a CLI that saw it) requests nothing.
    again = _evaluate(instance, failed)
    assert isinstance(again, dg.SkipReason)

    # The requested run: the alert job alone, with that config, writes a digest listing the run.
    alert = definitions.resolve_job_def("alert_only").execute_in_process(
        run_config=config, instance=instance, tags=request.tags
    )
    assert alert.success
    digest_path = lipas_home.reports_dir / jakarta_today().isoformat() / "digest.json"
    digest = json.loads(digest_path.read_text(encoding="utf-8"))
    assert [f["run_id"] for f in digest["run_failures"]] == [run_id]
    assert alert_step_succeeded(instance, alert.run_id)


def test_claim_is_taken_once_per_failed_run(lipas_home: Settings) -> None:
    """The daemon's sensor and a CLI seeing the same failure start the alert run once."""
    from orchestration.defs.alert_fallback import claim_alert_rerun

    assert claim_alert_rerun(lipas_home.reports_dir, "run-1")
    assert not claim_alert_rerun(lipas_home.reports_dir, "run-1")
    assert claim_alert_rerun(lipas_home.reports_dir, "run-2")


def test_alert_run_config_keeps_only_what_the_alert_job_takes() -> None:
    from orchestration.defs.alert_fallback import alert_run_config

    nightly = {
        "ops": {
            "quality_alert_summary": {"config": {"period": "2025-02"}},
            "ingest_submissions": {"config": {}},
        },
        "resources": {"lipas": {"config": {"home": "/h"}}, "dbt": {"config": {}}},
    }
    assert alert_run_config(nightly) == {
        "ops": {"quality_alert_summary": {"config": {"period": "2025-02"}}},
        "resources": {"lipas": {"config": {"home": "/h"}}},
    }
    assert alert_run_config(None) == {}
