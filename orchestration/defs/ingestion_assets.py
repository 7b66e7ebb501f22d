"""Ingestion: every file in landing/ archived, parsed, validated, pseudonymised and loaded."""

from collections.abc import Iterator

import dagster as dg

from ingestion.contract.model import load_contract
from ingestion.contract.raw_schema import LEDGER_SCHEMA, RAW_SCHEMA, raw_tables
from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource

LEDGER_SUBMISSIONS = dg.AssetKey([LEDGER_SCHEMA, "submissions"])
LEDGER_ROW_ISSUES = dg.AssetKey([LEDGER_SCHEMA, "row_issues"])


def raw_asset_keys() -> list[dg.AssetKey]:
    """One asset per raw table (the dbt sources use the same keys: [schema, table])."""
    return [dg.AssetKey([RAW_SCHEMA, table]) for table in sorted(raw_tables(load_contract()))]


def ingested_asset_keys() -> list[dg.AssetKey]:
    """Everything the ingestion step writes."""
    return [LEDGER_SUBMISSIONS, LEDGER_ROW_ISSUES, *raw_asset_keys()]


def build_ingestion_asset() -> dg.AssetsDefinition:
    """The ingestion multi-asset; its specs come from the contract (built at load time)."""

    @dg.multi_asset(
        name="ingest_submissions",
        specs=[
            dg.AssetSpec(
                key,
                group_name="ingestion",
                owners=[OWNER],
                kinds={"python", "duckdb"},
                description=(
                    f"{key.to_user_string()}: written by ingestion. Every file found in "
                    "LIPAS_HOME/landing is archived first, parsed against the submission "
                    "contract, pseudonymised (NIK -> client_key, names dropped) and loaded in one "
                    "transaction; rejected files are quarantined with a report in Bahasa Indonesia."
                ),
            )
            for key in ingested_asset_keys()
        ],
        pool=WAREHOUSE_POOL,
        # Unpartitioned on purpose: a file's reporting period is only known after parsing, and
        # late or corrected files for old months arrive any night; the ledger keeps it idempotent.
    )
    def ingest_submissions(
        context: dg.AssetExecutionContext, lipas: LipasResource
    ) -> Iterator[dg.MaterializeResult]:
        from ingestion.pipeline import ingest_landing

        summary = ingest_landing(lipas.settings())
        context.log.info("ingestion: %s", summary)
        for key in ingested_asset_keys():
            metadata = {}
            if key == LEDGER_SUBMISSIONS:
                metadata = {
                    "accepted": summary.accepted,
                    "rejected": summary.rejected,
                    "duplicate": summary.duplicate,
                    "superseded": summary.superseded,
                    "rows_loaded": summary.rows_loaded,
                }
            yield dg.MaterializeResult(asset_key=key, metadata=metadata)

    return ingest_submissions


@dg.asset_check(
    asset=LEDGER_SUBMISSIONS,
    blocking=True,
    pool=WAREHOUSE_POOL,
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
    """Ingestion asset and its gate."""
    return dg.Definitions(assets=[build_ingestion_asset()], asset_checks=[raw_integrity])
