"""Ingestion asset: every file in landing/ archived, parsed, validated, pseudonymised and loaded."""

import dagster as dg

from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource

RAW_SUBMISSIONS = dg.AssetKey("raw_submissions")


@dg.asset(
    key=RAW_SUBMISSIONS,
    group_name="ingestion",
    owners=[OWNER],
    kinds={"python", "duckdb"},
    pool=WAREHOUSE_POOL,
    description=(
        "Ledger and raw.* tables: every file found in LIPAS_HOME/landing is archived first, then "
        "parsed against the submission contract, pseudonymised (NIK -> client_key, names dropped) "
        "and loaded in one transaction; rejected files are quarantined with a report in Bahasa "
        "Indonesia. Unpartitioned on purpose: a file's reporting period is only known after it is "
        "parsed, and late or corrected files for old months arrive on any night."
    ),
)
def raw_submissions(
    context: dg.AssetExecutionContext, lipas: LipasResource
) -> dg.MaterializeResult:
    """Ingest whatever arrived since the last run."""
    from ingestion.pipeline import ingest_landing

    summary = ingest_landing(lipas.settings())
    context.log.info(
        "ingested: %s accepted, %s rejected, %s duplicate, %s superseded, %s rows",
        summary.accepted,
        summary.rejected,
        summary.duplicate,
        summary.superseded,
        summary.rows_loaded,
    )
    return dg.MaterializeResult(
        metadata={
            "accepted": summary.accepted,
            "rejected": summary.rejected,
            "duplicate": summary.duplicate,
            "superseded": summary.superseded,
            "rows_loaded": summary.rows_loaded,
        }
    )


@dg.asset_check(
    asset=RAW_SUBMISSIONS,
    blocking=True,
    description=(
        "Raw integrity gate before dbt: each Bapas-period has at most one current version, no "
        "row is loaded twice, and no 16-digit identifier reached a raw table."
    ),
)
def raw_integrity(lipas: LipasResource) -> dg.AssetCheckResult:
    """Blocking: a broken raw layer would make every mart wrong, unlike a single bad file."""
    from quality.raw_integrity import check_raw_integrity

    problems = check_raw_integrity(lipas.settings())
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"problems": dg.MetadataValue.json(problems)},
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Ingestion assets and their gate."""
    return dg.Definitions(assets=[raw_submissions], asset_checks=[raw_integrity])
