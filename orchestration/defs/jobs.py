"""Jobs: the nightly run, ingestion on file arrival, and the deadline completeness run."""

import dagster as dg

from orchestration.defs.alert_assets import ALERT_SUMMARY
from orchestration.defs.ingestion_assets import ingested_asset_keys
from orchestration.defs.quality_checks import QUALITY_KEYS
from orchestration.defs.receipt_assets import RECEIPTS

NIGHTLY_JOB = "nightly"
INGEST_JOB = "ingest_on_arrival"
DEADLINE_JOB = "deadline_completeness"
# Every run that writes the warehouse carries this tag; dagster.yaml limits it to one run at a time.
WRITER_TAGS = {"lipas/warehouse-writer": "duckdb"}

nightly_job = dg.define_asset_job(
    NIGHTLY_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest -> quality rules -> dbt build and tests -> mart checks -> alerts.",
    tags=WRITER_TAGS,
    # One process: steps share the warehouse one at a time anyway, and it avoids per-step
    # process start-up (Dagster overhead is measured against direct calls in the benchmark).
    executor_def=dg.in_process_executor,
)

ingest_job = dg.define_asset_job(
    INGEST_JOB,
    # Receipts right after ingestion: the Bapas hears within minutes (issue #15 item 1).
    selection=dg.AssetSelection.assets(*ingested_asset_keys(), RECEIPTS),
    description="Ingest newly arrived files and send their receipts (started by the landing "
    "sensor).",
    tags=WRITER_TAGS,
    executor_def=dg.in_process_executor,
)

deadline_job = dg.define_asset_job(
    DEADLINE_JOB,
    selection=dg.AssetSelection.assets(*QUALITY_KEYS, ALERT_SUMMARY),
    description="Day after the monthly deadline: completeness register, missing-report alerts.",
    tags=WRITER_TAGS,
    executor_def=dg.in_process_executor,
)


@dg.definitions
def defs() -> dg.Definitions:
    """Jobs."""
    return dg.Definitions(jobs=[nightly_job, ingest_job, deadline_job])
