"""`lipas backup DEST` and `lipas restore SRC`: keep what cannot be rebuilt, and get it back.

The logic lives in ingestion/backup.py; docs/operations.md has the runbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, fail


def register(app: typer.Typer) -> None:
    """Add the `backup` and `restore` commands to the CLI."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("rekey")(rekey_command)


def backup_command(
    dest: Annotated[Path, typer.Argument(help="Folder that receives lipas-backup-<time>/.")],
    wait: Annotated[
        float,
        typer.Option("--wait", help="Seconds to wait while a run holds the warehouse."),
    ] = 600.0,
) -> None:
    """Write a dated backup of the archive, ledger, quality and raw tables and instance state.

    Exit code 0 with the backup folder on stdout; 1 when the warehouse stayed busy.
    """
    from core.settings import ConfigurationError, load_settings
    from ingestion.backup import BackupError, backup_home

    try:
        result = backup_home(load_settings(), dest.expanduser().resolve(), wait_seconds=wait)
    except ConfigurationError as exc:
        fail(str(exc))
    except BackupError as exc:
        fail(str(exc), code=1)
    console.print(
        f"backup: {result.tables} tables ({result.rows} rows), {result.files} files, "
        f"{result.bytes / 1e6:.1f} MB in {result.seconds:.1f} s"
    )
    typer.echo(str(result.path))


def restore_command(
    src: Annotated[Path, typer.Argument(help="A lipas-backup-<time>/ folder.")],
) -> None:
    """Rebuild an empty LIPAS_HOME from a backup (then run `lipas nightly` to rebuild marts).

    Exit code 0 when restored; 2 when the home is not empty or the backup is damaged.
    """
    from core.settings import ConfigurationError, load_settings
    from ingestion.backup import BackupError, restore_home

    try:
        result = restore_home(load_settings(), src.expanduser().resolve())
    except (ConfigurationError, BackupError) as exc:
        fail(str(exc))
    console.print(
        f"restore: {result.tables} tables ({result.rows} rows), {result.files} files into "
        f"{result.home} in {result.seconds:.1f} s; now run `lipas build` (or the nightly) to "
        "rebuild the marts"
    )


def rekey_command(
    from_home: Annotated[Path, typer.Argument(help="The old LIPAS_HOME (or a restored copy).")],
) -> None:
    """Re-pseudonymise: ingest FROM_HOME's archived originals into the empty LIPAS_HOME.

    Run with the new LIPAS_PSEUDONYM_KEY set; then `lipas nightly` rebuilds checks and marts.
    Exit code 0 when ingested; 2 when the new home already has a warehouse or FROM_HOME none.
    """
    from core.settings import ConfigurationError, load_settings
    from ingestion.pipeline import ingest_landing
    from ingestion.rekey import RekeyError, replay_archive

    try:
        settings = load_settings()
        replay = replay_archive(from_home.expanduser().resolve(), settings)
        summary = ingest_landing(settings)
    except (ConfigurationError, RekeyError) as exc:
        fail(str(exc))
    console.print(
        f"rekey: {replay.staged} originals replayed ({replay.skipped_purged} purged skipped, "
        f"{replay.missing} missing); {summary.accepted} accepted, {summary.rejected} rejected"
    )
