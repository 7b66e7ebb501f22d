"""`lipas purge --submission ID`: remove a submission's loaded rows that carry personal data.

The ledger row and the archived original (the restricted copy of what was sent) are kept; the
logic and its audit record live in ingestion/purge.py.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import fail


def register(app: typer.Typer) -> None:
    """Add the `purge` command to the CLI."""
    app.command("purge")(purge_command)


def purge_command(
    submission: Annotated[
        str, typer.Option("--submission", help="ledger.submissions.submission_id to purge.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (kept in ledger.redactions with who and when).")
    ] = "",
) -> None:
    """Delete the submission's raw rows and Parquet, and the values quoted in its row issues.

    Exit code 0 with a one-line summary; 2 for an id that is not in the ledger; 1 when a
    nightly or ingestion run holds the warehouse.
    """
    from core.settings import ConfigurationError, load_settings
    from ingestion.pipeline import WarehouseBusyError
    from ingestion.purge import UnknownSubmissionError, purge_submission

    sid = submission.strip()
    try:
        result = purge_submission(load_settings(), sid, reason)
    except UnknownSubmissionError:
        fail(f"unknown submission {sid!r}: no such submission_id in ledger.submissions")
    except ConfigurationError as exc:
        fail(str(exc))
    except WarehouseBusyError as exc:
        # Another writer (a running nightly) holds the warehouse: nothing was changed.
        fail(f"{exc} (nothing was changed)", code=1)
    typer.echo(result.summary())
