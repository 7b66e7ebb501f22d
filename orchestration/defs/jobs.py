"""Jobs: the nightly run, ingestion on file arrival, the deadline run and the alert on its own."""

import dagster as dg

from orchestration.defs.alert_assets import ALERT_SUMMARY
from orchestration.defs.ingestion_assets import ingested_asset_keys
from orchestration.defs.quality_checks import QUALITY_KEYS
from orchestration.defs.receipt_assets import RECEIPTS

NIGHTLY_JOB = "nightly"
INGEST_JOB = "ingest_on_arrival"
DEADLINE_JOB = "deadline_completeness"
ALERT_JOB = "alert_only"
# Every run that writes the warehouse carries this tag; dagster.yaml limits it to one run at a time.
WRITER_TAGS = {"lipas/warehouse-writer": "duckdb"}

nightly_job = dg.define_asset_job(
    NIGHTLY_JOB,
    selection=dg.AssetSelection.all(),
    description="Ingest -> quality rules -> dbt build and tests -> mart checks -> alert summary "
    "-> publish -> leadership site. A failed night still gets its alert (job alert_only).",
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

# The alert summary alone: what a failed nightly run skipped (DESIGN §6, a failed check must reach
# the alert). Started by the `alert_after_failed_nightly` sensor, or by `lipas nightly` itself.
alert_job = dg.define_asset_job(
    ALERT_JOB,
    selection=dg.AssetSelection.assets(ALERT_SUMMARY),
    description="Quality-alert summary only: run after a nightly run that failed before its "
    "alert step, so the morning digest (with the failed run in it) is still written and sent.",
    tags=WRITER_TAGS,
    executor_def=dg.in_process_executor,
)


@dg.definitions
def defs() -> dg.Definitions:
    """Jobs."""
    return dg.Definitions(jobs=[nightly_job, ingest_job, deadline_job, alert_job])
