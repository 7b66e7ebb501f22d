"""The morning quality-alert summary for Ditjen, Kanwil and Bapas."""

import dagster as dg

from core.period import Period, jakarta_today
from orchestration.defs.dbt_assets import lipas_dbt_project, model_asset_keys
from orchestration.defs.quality_checks import QUALITY_FINDINGS
from orchestration.defs.resources import OWNER, WAREHOUSE_POOL, LipasResource, MailResource

ALERT_SUMMARY = dg.AssetKey("quality_alert_summary")


class AlertConfig(dg.Config):
    """Run-time options: which period to report and whether to send mail."""

    period: str | None = None
    send: bool = True
    lang: str = "id"


def build_quality_alert_summary() -> dg.AssetsDefinition:
    """The summary asset, downstream of the findings and of every mart (manifest read at load).

    Lineage landing -> raw -> staging -> marts -> checks -> alert -> publish (issue 14): the
    marts' blocking checks run before it and publishing after it. A run that fails upstream
    skips this step; `alert_after_failed_nightly` (and `lipas nightly` itself) then runs the
    `alert_only` job, so a failed night never suppresses the morning summary.
    """
    marts = model_asset_keys(lipas_dbt_project())

    @dg.asset(
        key=ALERT_SUMMARY,
        deps=[QUALITY_FINDINGS, *sorted(marts.values())],
        group_name="alerts",
        owners=[OWNER],
        kinds={"python", "email"},
        pool=WAREHOUSE_POOL,
        description=(
            "Quality-alert summary (Bahasa Indonesia) for Ditjen, per-Kanwil digests and "
            "per-Bapas fix-lists, written under LIPAS_HOME/reports/<date>/ and sent by SMTP when "
            "configured. New findings are announced once; persisting and resolved ones are "
            "listed as such. Runs after the marts and their checks, before publishing; job "
            "alert_only runs it alone after a failed nightly run."
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

    return quality_alert_summary


@dg.definitions
def defs() -> dg.Definitions:
    """Alert asset."""
    return dg.Definitions(assets=[build_quality_alert_summary()])
