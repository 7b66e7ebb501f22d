"""The morning quality-alert summary for Ditjen, Kanwil and Bapas."""

import dagster as dg

from core.period import Period, jakarta_today
from orchestration.defs.quality_checks import QUALITY_FINDINGS
from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource, MailResource

ALERT_SUMMARY = dg.AssetKey("quality_alert_summary")


class AlertConfig(dg.Config):
    """Run-time options: which period to report and whether to send mail."""

    period: str | None = None
    send: bool = True
    lang: str = "id"


@dg.asset(
    key=ALERT_SUMMARY,
    # Only the findings are needed: a failed dbt build must never suppress the morning summary.
    deps=[QUALITY_FINDINGS],
    group_name="alerts",
    owners=[OWNER],
    kinds={"python", "email"},
    pool=WAREHOUSE_POOL,
    description=(
        "Quality-alert summary (Bahasa Indonesia) for Ditjen, per-Kanwil digests and per-Bapas "
        "fix-lists, written under LIPAS_HOME/reports/<date>/ and sent by SMTP when configured. "
        "New findings are announced once; persisting and resolved ones are listed as such."
    ),
)
def quality_alert_summary(
    context: dg.AssetExecutionContext,
    config: AlertConfig,
    lipas: LipasResource,
    mail: MailResource,
) -> dg.MaterializeResult:
    """Build and (optionally) deliver the summary for the latest closed period."""
    from quality.alerts import run_report

    settings = lipas.settings()
    today = lipas.as_of_date() or jakarta_today()
    period = config.period or str(Period.of(today).shift(-1))
    result = run_report(
        settings,
        period,
        as_of=today,
        lang=config.lang,
        send=config.send,
        mail_config=mail.mail_config(),
    )
    context.log.info("alert summary written to %s", result.output_dir)
    return dg.MaterializeResult(
        metadata={
            "period": period,
            "output_dir": dg.MetadataValue.path(str(result.output_dir)),
            "messages_sent": result.sent,
            "messages_failed": result.failed,
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Alert asset."""
    return dg.Definitions(assets=[quality_alert_summary])
