"""`lipas generate`: write a realistic national set of Bapas submissions plus a fault manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import fail, parse_period_option


def register(app: typer.Typer) -> None:
    """Add the `generate` command to the CLI."""
    app.command("generate")(generate_command)


def generate_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (must be empty).")],
    start: Annotated[str, typer.Option("--start", help="First month, YYYY-MM.")],
    months: Annotated[int, typer.Option("--months", help="Number of months.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 7,
    bapas: Annotated[
        str, typer.Option("--bapas", help="'all' or N: the first N active Bapas by code.")
    ] = "all",
    faults: Annotated[
        str,
        typer.Option(
            "--faults",
            help="'default' plants every fault family; 'none' is clean; or fault names a,b,c.",
        ),
    ] = "default",
    scale: Annotated[
        float, typer.Option("--scale", help="Caseload multiplier (0.02 for tiny test sets).")
    ] = 1.0,
    messy_share: Annotated[
        float, typer.Option("--messy-share", help="Share of messy-but-valid files (0..1).")
    ] = 0.15,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 2,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an earlier generator output in --out.")
    ] = False,
) -> None:
    """Generate monthly reports and annual plans for every active Bapas, with planted faults."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from synthetic.dates import run_months
    from synthetic.generate import fault_subset, generate, select_bapas

    parse_period_option(start)
    if months < 1 or months > 240:
        fail(f"--months must be between 1 and 240, got {months}")
    try:
        fault_subset(faults)
    except ValueError as exc:
        fail(f"--{exc}")
    if not 0 < scale <= 10:
        fail(f"--scale must be in (0, 10], got {scale}")
    if workers < 1:
        fail(f"--workers must be at least 1, got {workers}")
    if not 0 <= messy_share <= 1:
        fail(f"--messy-share must be between 0 and 1, got {messy_share}")
    limit: int | None = None
    if bapas.strip().lower() != "all":
        if not bapas.strip().isdigit() or int(bapas) < 1:
            fail(f"--bapas must be 'all' or a positive whole number, got {bapas!r}")
        limit = int(bapas)
    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        fail(f"--out {out} is not empty; choose an empty folder (or --overwrite an earlier run)")
    try:
        total = len(select_bapas(run_months(start, months), limit))
    except ValueError as exc:
        fail(str(exc))
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as progress:
        task = progress.add_task("generating Bapas", total=total)
        try:
            result = generate(
                out,
                start,
                months,
                seed,
                bapas=limit,
                faults=faults,
                scale=scale,
                messy_share=messy_share,
                workers=workers,
                overwrite=overwrite,
                on_progress=lambda _code: progress.advance(task),
            )
        except (FileExistsError, ValueError) as exc:
            fail(str(exc))
    typer.echo(
        f"{result.files} files for {result.bapas} Bapas x {result.months} months in {out} "
        f"({sum(result.rows.values()):,} rows, {result.faults} faults, {result.messy} messy) "
        f"in {result.seconds:.1f} s; manifest: {result.manifest_path}"
    )
