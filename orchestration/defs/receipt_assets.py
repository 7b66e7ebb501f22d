"""Receipts (tanda terima) for each newly ingested file, minutes after it lands (issue #15 item 1).

Part of the landing sensor's `ingest_on_arrival` job (and of the nightly run): right after
ingestion, every file ingested in the last two days without a receipt gets one, written under
LIPAS_HOME/reports/receipts/<KODE>/ and mailed to the Bapas's address.
"""

import dagster as dg

from orchestration.defs.ingestion_assets import LEDGER_SUBMISSIONS
from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource, MailResource

RECEIPTS = dg.AssetKey("bapas_receipts")


@dg.asset(
    key=RECEIPTS,
    deps=[LEDGER_SUBMISSIONS],
    group_name="alerts",
    owners=[OWNER],
    kinds={"python", "email"},
    pool=WAREHOUSE_POOL,
    description=(
        "Tanda terima per file: received time (WIB), file name and short hash, Bapas and "
        "period read, on time or late, accepted / rejected / held, and the file's own cell "
        "problems with what to type instead; under LIPAS_HOME/reports/receipts/, mailed to "
        "the recipients file's bapas:<KODE> address."
    ),
)
def bapas_receipts(
    context: dg.AssetExecutionContext, lipas: LipasResource, mail: MailResource
) -> dg.MaterializeResult:
    """Write and send the receipts of files that have none yet."""
    from quality.alerts.receipts_run import send_receipts

    result = send_receipts(lipas.settings(), mail_config=mail.mail_config())
    # Counts only: receipts name files, which may carry a NIP (issue #11).
    context.log.info(
        "receipts: %d files written, %d queued, %d sent, %d pending",
        len(result.written),
        result.queued,
        result.sent,
        result.pending,
    )
    return dg.MaterializeResult(
        metadata={
            "files_written": len(result.written),
            "queued": result.queued,
            "sent": result.sent,
            "pending": result.pending,
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The receipts asset."""
    return dg.Definitions(assets=[bapas_receipts])
