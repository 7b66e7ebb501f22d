"""Quality: cross-submission rules before dbt, Great Expectations checks on the marts after it."""

from collections.abc import Iterator

import dagster as dg

from orchestration.defs.dbt_assets import lipas_dbt_project, model_asset_keys
from orchestration.defs.ingestion_assets import ingested_asset_keys
from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource

QUALITY_FINDINGS = dg.AssetKey(["quality", "findings"])
QUALITY_KEYS = (
    QUALITY_FINDINGS,
    dg.AssetKey(["quality", "submission_status"]),
    dg.AssetKey(["quality", "submission_scores"]),
)


@dg.multi_asset(
    name="check_submissions",
    specs=[
        dg.AssetSpec(
            key,
            deps=ingested_asset_keys(),
            group_name="quality",
            owners=[OWNER],
            kinds={"python", "duckdb"},
            description=(
                f"{key.to_user_string()}: written by the submission quality run (expected-"
                "reports register with missing/late/rejected status, declarative consistency "
                "rules, continuity, outliers, cross-Bapas duplicates, annual-plan checks) over "
                "the current submission versions. Runs before dbt because "
                "mart_submission_compliance reads these tables."
            ),
        )
        for key in QUALITY_KEYS
    ],
    pool=WAREHOUSE_POOL,
)
def check_submissions(
    context: dg.AssetExecutionContext, lipas: LipasResource
) -> Iterator[dg.MaterializeResult]:
    """Run every submission-level rule and store findings, status register and scores."""
    from quality.runner import run_checks

    summary = run_checks(lipas.settings(), as_of=lipas.as_of_date())
    context.log.info("quality findings by severity: %s", summary.by_severity)
    for key in QUALITY_KEYS:
        metadata = {}
        if key == QUALITY_FINDINGS:
            metadata = {
                "open_errors": summary.by_severity.get("error", 0),
                "open_warnings": summary.by_severity.get("warning", 0),
                "open_info": summary.by_severity.get("info", 0),
                "by_family": dg.MetadataValue.json(dict(summary.by_family)),
            }
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


def build_mart_expectations(mart_keys: dict[str, dg.AssetKey]) -> dg.AssetChecksDefinition:
    """GX suites on the checked marts, attached to the dbt assets' real keys."""
    from quality.gx_marts import mart_specs

    # The marts with a GX suite are listed once, in quality/rules/marts.yaml; a suite for a
    # mart dbt no longer builds fails loudly here (KeyError) instead of silently not running.
    checked = {name: mart_keys[name] for name in mart_specs()}

    @dg.multi_asset_check(
        name="mart_expectations",
        specs=[
            dg.AssetCheckSpec(
                "gx_expectations",
                asset=key,
                blocking=True,
                description=f"Great Expectations suite on {name} (keys, ranges, rates in 0-1).",
            )
            for name, key in checked.items()
        ],
        pool=WAREHOUSE_POOL,
    )
    def mart_expectations(lipas: LipasResource) -> Iterator[dg.AssetCheckResult]:
        """One GX run over all checked marts; a failing mart blocks publishing, not the others."""
        from quality.gx_marts import validate_marts

        results = {r.table: r for r in validate_marts(lipas.settings())}
        for name, key in checked.items():
            result = results.get(name)
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name="gx_expectations",
                passed=bool(result and result.passed),
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "failing": dg.MetadataValue.json(
                        list(result.failing) if result else ["not run"]
                    ),
                },
            )

    return mart_expectations


@dg.definitions
def defs() -> dg.Definitions:
    """Quality asset and mart checks."""
    mart_keys = model_asset_keys(lipas_dbt_project())
    return dg.Definitions(
        assets=[check_submissions], asset_checks=[build_mart_expectations(mart_keys)]
    )
