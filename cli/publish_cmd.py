"""`lipas publish` (read-only snapshot for analysts) and `lipas analyst-guide` (its docs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, fail, positive_int_option
from core.settings import Settings, load_settings


def register(app: typer.Typer) -> None:
    """Add the publish and analyst-guide commands."""

    @app.command("publish")
    def publish(
        run_id: Annotated[
            str | None, typer.Option(help="Pipeline run the marts come from (recorded).")
        ] = None,
        parquet: Annotated[
            bool, typer.Option("--parquet/--no-parquet", help="Also export the marts to Parquet.")
        ] = True,
        external: Annotated[
            bool,
            typer.Option("--external", help="Also write a small-cell-suppressed external copy."),
        ] = False,
        threshold: Annotated[
            int | None,
            typer.Option(help="Suppression threshold (default LIPAS_SUPPRESSION_THRESHOLD or 5)."),
        ] = None,
        postgres: Annotated[
            bool,
            typer.Option(
                "--postgres",
                help="Serve the marts on PostgreSQL (LIPAS_PG_*) read-only to role lipas_analyst.",
            ),
        ] = False,
        status: Annotated[
            bool, typer.Option("--status", help="Only show what the last publish did.")
        ] = False,
    ) -> None:
        """Publish the marts as a read-only snapshot analysts can query while the pipeline runs."""
        from publishing.snapshot import PublishError, publish_snapshot
        from publishing.status import read_status
        from publishing.suppression import suppression_threshold

        positive_int_option(threshold, "--threshold")
        if postgres and (status or external):
            fail("--postgres cannot be combined with --status or --external")
        settings = load_settings()
        if status:
            current = read_status(settings.published_dir)
            typer.echo(current.to_json() if current else "nothing published yet")
            return
        if postgres:
            _grant_postgres(settings)
            return
        try:
            limit = threshold if threshold is not None else suppression_threshold()
        except ValueError as exc:
            fail(str(exc))
        try:
            result = publish_snapshot(
                settings,
                run_id=run_id,
                parquet=parquet,
                external_threshold=limit if external else None,
            )
        except PublishError as exc:
            fail(str(exc), code=1)
        for table in result.tables:
            console.print(f"  {table.schema}.{table.name:<36} {table.rows:>10,} rows")
        console.print(f"published {len(result.tables)} tables in {result.seconds:.1f} s")
        typer.echo(str(result.snapshot_path))
        for path in (result.parquet_dir, result.external_dir):
            if path is not None:
                typer.echo(str(path))

    @app.command("analyst-guide")
    def analyst_guide(
        check: Annotated[
            bool, typer.Option("--check", help="Fail if docs/analyst-guide.md is out of date.")
        ] = False,
        manifest: Annotated[
            Path | None,
            typer.Option(help="dbt manifest to read (default dbt_project/target/manifest.json)."),
        ] = None,
    ) -> None:
        """Regenerate the table reference of docs/analyst-guide.md from the dbt docs."""
        from publishing.guide import GUIDE_PATH, GuideOutOfDateError, update_guide

        try:
            changed = update_guide(manifest_path=manifest, check=check)
        except GuideOutOfDateError as exc:
            fail(str(exc), code=1)
        console.print(f"{GUIDE_PATH}: {'updated' if changed else 'up to date'}")


def _grant_postgres(settings: Settings) -> None:
    import psycopg2

    from publishing.postgres import (
        PostgresPrivilegeError,
        pg_connect_kwargs,
        publish_to_postgres,
    )

    try:
        conn = psycopg2.connect(**pg_connect_kwargs())
    except psycopg2.Error as exc:
        fail(f"cannot connect to PostgreSQL (LIPAS_PG_* variables): {exc}", code=1)
    try:
        result = publish_to_postgres(settings, conn)
    except (FileNotFoundError, PostgresPrivilegeError) as exc:
        fail(str(exc), code=1)
    finally:
        conn.close()
    console.print(
        f"role {result.role}: SELECT on {result.tables} tables in {', '.join(result.schemas)}, "
        f"{result.comments} comments"
    )
