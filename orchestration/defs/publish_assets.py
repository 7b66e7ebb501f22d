"""Publishing: the read-only analyst snapshot, once every blocking mart check passed."""

import dagster as dg

from orchestration.defs.alert_assets import ALERT_SUMMARY
from orchestration.defs.dbt_assets import lipas_dbt_project, model_asset_keys
from orchestration.defs.jobs import nightly_job
from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource


def build_published_warehouse() -> dg.AssetsDefinition:
    """Downstream of every mart (so of every blocking check) and of the alert summary.

    The marts come from the manifest at load time; publishing is the night's last warehouse
    step, after the alert (lineage landing -> raw -> staging -> marts -> checks -> alert).
    """
    marts = model_asset_keys(lipas_dbt_project())

    @dg.asset(
        key="published_warehouse", deps=[*sorted(marts.values()), ALERT_SUMMARY],
        group_name="publishing", owners=[OWNER], kinds={"duckdb", "parquet"}, pool=WAREHOUSE_POOL,
        description="Read-only analyst snapshot, Parquet and suppressed external copy under "
        "LIPAS_HOME/warehouse/published/ (docs/analyst-guide.md).",
    )  # fmt: skip
    def published_warehouse(
        context: dg.AssetExecutionContext, lipas: LipasResource
    ) -> dg.MaterializeResult:
        from publishing.snapshot import publish_snapshot
        from publishing.suppression import nightly_external_threshold

        result = publish_snapshot(
            lipas.settings(), run_id=context.run_id, external_threshold=nightly_external_threshold()
        )
        rows = {f"{t.schema}.{t.name}": t.rows for t in result.tables}
        return dg.MaterializeResult(metadata={
            "snapshot": dg.MetadataValue.path(str(result.snapshot_path)),
            "published_at": result.published_at, "row_counts": dg.MetadataValue.json(rows),
        })  # fmt: skip

    return published_warehouse


@dg.run_failure_sensor(monitored_jobs=[nightly_job], default_status=dg.DefaultSensorStatus.RUNNING)
def publish_blocked_on_failure(context: dg.RunFailureSensorContext) -> None:
    """A failed nightly run (blocking mart check, dbt...) keeps the old snapshot: record why."""
    from core.settings import load_settings
    from publishing.snapshot import publish_blocked

    steps = sorted({e.step_key for e in context.get_step_failure_events() if e.step_key})
    reason = f"nightly run failed at {', '.join(steps) or 'start-up'}; snapshot not refreshed"
    publish_blocked(load_settings(), reason, run_id=context.dagster_run.run_id)


@dg.definitions
def defs() -> dg.Definitions:
    """Publishing asset and its blocked-run sensor."""
    return dg.Definitions(
        assets=[build_published_warehouse()], sensors=[publish_blocked_on_failure]
    )
