"""The Definitions load, and what they promise (schedules, owners, descriptions) is checked here."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.schedules import deadline_cron

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs()


def _snapshot(definitions: dg.Definitions) -> dict[str, object]:
    graph = definitions.get_repository_def().asset_graph
    return {
        "assets": sorted(k.to_user_string() for k in graph.get_all_asset_keys()),
        "checks": sorted(
            f"{c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys
        ),
        "schedules": sorted(
            f"{s.name} {s.cron_schedule} {s.execution_timezone}" for s in definitions.schedules
        ),
        "sensors": sorted(s.name for s in definitions.sensors),
        "jobs": sorted(j.name for j in definitions.jobs),
    }


def test_snapshot_of_assets_checks_and_schedules(definitions: dg.Definitions) -> None:
    """Any change to the asset graph is deliberate: regenerate with UPDATE_SNAPSHOTS=1."""
    current = _snapshot(definitions)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(current, indent=2) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


def test_nightly_schedule_runs_at_one_in_jakarta(definitions: dg.Definitions) -> None:
    schedule = definitions.resolve_schedule_def("nightly_0100_wib")
    assert schedule.cron_schedule == "0 1 * * *"
    assert schedule.execution_timezone == "Asia/Jakarta"
    assert schedule.job_name == "nightly"


def test_deadline_schedule_is_day_after_monthly_deadline(definitions: dg.Definitions) -> None:
    schedule = definitions.resolve_schedule_def("monthly_deadline_check")
    assert schedule.cron_schedule == "0 7 11 * *"  # seed: monthly deadline on the 10th
    assert schedule.execution_timezone == "Asia/Jakarta"


@pytest.mark.parametrize(
    ("day", "cron"),
    [
        pytest.param(10, "0 7 11 * *", id="10th -> 11th"),
        pytest.param(27, "0 7 28 * *", id="27th -> 28th"),
        pytest.param(31, "0 7 1 * *", id="month end -> 1st"),
    ],
)
def test_deadline_cron(day: int, cron: str) -> None:
    assert deadline_cron(day) == cron


def test_sensors_present(definitions: dg.Definitions) -> None:
    names = {s.name for s in definitions.sensors}
    assert {"landing_sensor", "run_failure_alert"} <= names


def test_every_asset_has_description_group_and_owner(definitions: dg.Definitions) -> None:
    graph = definitions.get_repository_def().asset_graph
    missing = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        if not node.description or not node.group_name or not node.owners:
            missing.append(key.to_user_string())
    assert missing == []


def test_lineage_starts_at_landing(definitions: dg.Definitions) -> None:
    """Issue 14 item 10: the lineage had no landing node; ingestion reads the landing files."""
    from orchestration.defs.ingestion_assets import LANDING_FILES, ingested_asset_keys

    graph = definitions.get_repository_def().asset_graph
    assert not graph.get(LANDING_FILES).is_materializable
    for key in ingested_asset_keys():
        assert graph.get(key).parent_keys == {LANDING_FILES}
    nightly = definitions.resolve_job_def("nightly")
    assert LANDING_FILES not in nightly.asset_layer.executable_asset_keys


def test_lineage_runs_landing_raw_staging_marts_checks_alert_publish(
    definitions: dg.Definitions,
) -> None:
    """Issue 14: the alert hung off the quality step beside dbt; now it follows the marts and
    their blocking checks, and publishing (then the site) follows the alert."""
    from orchestration.defs.alert_assets import ALERT_SUMMARY
    from orchestration.defs.dbt_assets import lipas_dbt_project, model_asset_keys
    from orchestration.defs.ingestion_assets import LANDING_FILES

    graph = definitions.get_repository_def().asset_graph
    raw = dg.AssetKey(["raw", "monthly_klien"])
    staging = dg.AssetKey(["staging", "stg_raw__monthly_clients"])
    mart = dg.AssetKey(["marts", "fct_client_month"])
    published = dg.AssetKey("published_warehouse")
    site = dg.AssetKey("leadership_site")
    chain = [LANDING_FILES, raw, staging, mart, ALERT_SUMMARY, published, site]
    for upstream, downstream in itertools.pairwise(chain):
        assert upstream in graph.get_ancestor_asset_keys(downstream), (upstream, downstream)
        assert downstream not in graph.get_ancestor_asset_keys(upstream), (upstream, downstream)
    # Direct edges where the chain has them (staging -> mart goes through intermediate models).
    assert LANDING_FILES in graph.get(raw).parent_keys
    assert raw in graph.get(staging).parent_keys
    marts = set(model_asset_keys(lipas_dbt_project()).values())
    assert len(marts) > 10
    alert_parents = graph.get(ALERT_SUMMARY).parent_keys
    assert marts <= alert_parents, "the alert must follow every mart"
    assert graph.get(ALERT_SUMMARY).child_keys == {published}
    assert ALERT_SUMMARY in graph.get(published).parent_keys
    assert marts <= graph.get(published).parent_keys
    # The marts' GX checks are blocking, so the alert (downstream of the marts) waits for them.
    gx = [key for key in graph.asset_check_keys if key.name == "gx_expectations"]
    assert gx and all(key.asset_key in marts for key in gx)
    assert all(graph.get_check_spec(key).blocking for key in gx)


def test_alert_jobs_select_the_alert_summary(definitions: dg.Definitions) -> None:
    """The deadline run and the alert-after-failure run still run the summary without dbt."""
    from orchestration.defs.alert_assets import ALERT_SUMMARY
    from orchestration.defs.quality_checks import QUALITY_KEYS

    alert_only = definitions.resolve_job_def("alert_only").asset_layer.executable_asset_keys
    assert set(alert_only) == {ALERT_SUMMARY}
    deadline = definitions.resolve_job_def("deadline_completeness")
    assert set(deadline.asset_layer.executable_asset_keys) == {*QUALITY_KEYS, ALERT_SUMMARY}
    names = {s.name for s in definitions.sensors}
    assert "alert_after_failed_nightly" in names
