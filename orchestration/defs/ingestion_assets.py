"""Ingestion: every file in landing/ archived, parsed, validated, pseudonymised and loaded."""

from collections.abc import Iterator

import dagster as dg

from core.contract.model import load_contract
from core.contract.raw_schema import LEDGER_SCHEMA, RAW_SCHEMA, raw_tables
from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource

LEDGER_SUBMISSIONS = dg.AssetKey([LEDGER_SCHEMA, "submissions"])
LEDGER_ROW_ISSUES = dg.AssetKey([LEDGER_SCHEMA, "row_issues"])
# The files Bapas deliver: an external asset, so the lineage starts at landing (issue 14 item 10).
LANDING_FILES = dg.AssetKey("landing_files")

landing_files = dg.AssetSpec(
    LANDING_FILES,
    group_name="ingestion",
    owners=[OWNER],
    kinds={"file"},
    description=(
        "Report files (xlsx, csv) the Bapas deliver into LIPAS_HOME/landing; the landing sensor "
        "watches it. Produced outside Dagster, so never materialized by a run."
    ),
)


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
                deps=[LANDING_FILES],
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
        # Counts only: per-file results carry file names, which may hold a NIP (issue #11).
        context.log.info(
            "ingestion: %d accepted, %d superseded, %d rejected, %d duplicate, %d rows",
            summary.accepted,
            summary.superseded,
            summary.rejected,
            summary.duplicate,
            summary.rows_loaded,
        )
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
        "Raw integrity gate before dbt. A NIK/NIP-like digit run stored by a submission is "
        "masked in place (raw tables, raw Parquet, ledger file names), audited in "
        "ledger.redactions and reported as a finding for that Bapas-period; the night goes on. "
        "It blocks only what no single submission explains: two current versions of one "
        "Bapas-period, rows loaded twice, or a digit run that masking could not remove. "
        "It scans the submissions not scanned before, and the whole raw layer every "
        "LIPAS_RAW_FULL_SCAN_DAYS days."
    ),
)
def raw_integrity(
    context: dg.AssetCheckExecutionContext, lipas: LipasResource
) -> dg.AssetCheckResult:
    """Blocking only for a broken load: one office's typo is isolated, never stops the others."""
    from core.redact import scrub
    from quality.raw_integrity import run_raw_integrity_gate

    result = run_raw_integrity_gate(lipas.settings())
    for item in result.isolated:
        context.log.warning(
            scrub(
                f"isolated {item.submission_id} ({item.kode_bapas} {item.period}): "
                f"{item.rows} stored values masked in {', '.join(item.columns)}"
            )
        )
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "problems": dg.MetadataValue.json([scrub(p) for p in result.problems]),
            "isolated": dg.MetadataValue.json([i.as_json() for i in result.isolated]),
            "findings_emitted": result.findings,
            "submissions_scanned": result.scanned,
            "full_scan": result.full_scan,
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Ingestion asset and its gate."""
    return dg.Definitions(
        assets=[landing_files, build_ingestion_asset()], asset_checks=[raw_integrity]
    )
