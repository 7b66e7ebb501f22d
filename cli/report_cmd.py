"""`lipas report`: the quality-alert summary, Kanwil digests, Bapas fix-lists and notices."""

from __future__ import annotations

import json
import logging
from typing import Annotated

import typer

from cli.common import (
    LANGUAGES,
    choice_option,
    console,
    date_option,
    fail,
    judging_day_option,
    period_option,
)

logger = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add the `report` command to the CLI."""
    app.command("report")(report_command)


def report_command(
    period: Annotated[str, typer.Option("--period", help="Reporting month, YYYY-MM.")],
    send: Annotated[
        bool,
        typer.Option(
            "--send/--no-send",
            help="Queue and mail the messages (and record what was announced). "
            "Without it: a preview, files only.",
        ),
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language: id (default) or en.")] = "id",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Judging day YYYY-MM-DD (default: LIPAS_AS_OF, LIPAS_HOME/instance.json, today).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Write the summary under LIPAS_HOME/reports/<date>/ and optionally mail it.

    A preview (no --send) writes digest.preview.html etc., English adds .en (digest.en.html):
    neither replaces the Bahasa report the nightly wrote the same day.

    Exit 0: report written (undelivered mail stays queued for the next run).
    Exit 1: --send given and some mail could not be delivered. Exit 2: bad usage.
    """
    from core.settings import ConfigurationError, load_settings
    from quality.alerts import run_report

    month = period_option(period) or period
    choice_option(lang, "--lang", LANGUAGES)
    date_option(as_of)
    day = judging_day_option(as_of)
    try:
        settings = load_settings()
        result = run_report(settings, month, as_of=day, lang=lang, send=send, preview=not send)
    except ConfigurationError as exc:
        fail(str(exc))
    if as_json:
        payload = {
            "period": result.period,
            "as_of": result.as_of.isoformat(),
            "report_dir": str(result.report_dir),
            "files": [str(p) for p in result.files],
            "headline": result.headline,
            "queued": result.queued,
            "sent": result.sent,
            "pending": result.pending,
            "errors": list(result.errors),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        console.print(f"[bold]summary[/bold]  {result.files[0]}", soft_wrap=True)
        console.print(f"files    {len(result.files)} under {result.report_dir}", soft_wrap=True)
        for key, value in result.headline.items():
            console.print(f"  {key}: {value}")
        if send:
            console.print(
                f"mail     queued {result.queued}, sent {result.sent}, pending {result.pending}"
            )
        for error in result.errors:
            console.print(f"[yellow]undelivered:[/yellow] {error}", soft_wrap=True)
    if send and result.errors:
        raise typer.Exit(1)
