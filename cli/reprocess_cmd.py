"""`lipas reprocess` and `lipas release`: an operator's deliberate decision on one submission.

`reprocess --submission ID` re-reads a rejected or held file from its archived original (a
resend of the same bytes would only be a `duplicate`); `release --submission ID` puts a held
file in force after checking it. Both keep the audit trail in ledger.submissions.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from cli.common import console, fail

SUBMISSION_OPTION = typer.Option("--submission", help="ledger.submissions.submission_id")


def register(app: typer.Typer) -> None:
    """Add the `reprocess` and `release` commands to the CLI."""
    app.command("reprocess")(reprocess_command)
    app.command("release")(release_command)


def reprocess_command(
    submission: Annotated[str, SUBMISSION_OPTION],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Parse a rejected or held submission again from its archive (old row -> reprocessed).

    Exit code 0 when the file was processed (even if rejected again), 2 when the submission
    cannot be reprocessed (unknown id, wrong status, no archived report), 1 when a nightly or
    ingestion run holds the warehouse.
    """
    from core.settings import ConfigurationError, load_settings
    from ingestion.pipeline import WarehouseBusyError
    from ingestion.reprocess import OperatorError, reprocess_submission

    try:
        result = reprocess_submission(load_settings(), submission.strip())
    except (OperatorError, ConfigurationError) as exc:
        fail(str(exc))
    except WarehouseBusyError as exc:
        fail(f"{exc} (nothing was changed)", code=1)
    if as_json:
        typer.echo(json.dumps(asdict(result), indent=2, default=str))
        return
    console.print(
        f"[bold]reprocess[/bold]: {submission} -> {result.submission_id}: {result.status}"
        + (f" ({result.error_code})" if result.error_code else "")
    )


def release_command(
    submission: Annotated[str, SUBMISSION_OPTION],
    note: Annotated[
        str, typer.Option("--note", help="Why the file is accepted (kept in the ledger).")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Put a held submission in force under its IDENTITAS identity, after checking it."""
    from core.settings import ConfigurationError, load_settings
    from ingestion.pipeline import WarehouseBusyError
    from ingestion.reprocess import OperatorError, release_submission

    try:
        released = release_submission(load_settings(), submission.strip(), note)
    except (OperatorError, ConfigurationError) as exc:
        fail(str(exc))
    except WarehouseBusyError as exc:
        fail(f"{exc} (nothing was changed)", code=1)
    if as_json:
        typer.echo(json.dumps(asdict(released), indent=2))
        return
    console.print(
        f"[bold]release[/bold]: {released.submission_id} is now version {released.version} of "
        f"{released.kode_bapas} {released.period}"
        + (f" (replaces {released.superseded})" if released.superseded else "")
    )
