"""`lipas template` (Excel template for a Bapas) and `lipas contract-docs` (docs/contract.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import console, fail, period_option, year_option


def template(
    bapas: Annotated[str, typer.Option("--bapas", help="Bapas code, e.g. BP3501.")],
    period: Annotated[
        str | None, typer.Option("--period", help="Month YYYY-MM for a monthly report.")
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="Year YYYY for an annual plan.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output .xlsx (default: the standard file name here)."),
    ] = None,
) -> None:
    """Write the Excel template a Bapas fills in for one month or one plan year."""
    from core.contract.template import TemplateError, build_template

    if (period is None) == (year is None):
        fail("give exactly one of --period YYYY-MM (monthly report) or --year YYYY (annual plan)")
    month = period_option(period)
    plan_year = year_option(year)
    label = month or str(plan_year)
    if out is None:
        stem = "laporan_bulanan" if period else "rencana_tahunan"
        out = Path(f"{stem}_{bapas.strip().upper()}_{label}.xlsx")
    try:
        written = build_template(bapas, label, out)
    except TemplateError as exc:
        fail(escape(str(exc)))
    console.print(f"template written: {escape(str(written))}")


def contract_docs(
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default docs/contract.md).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only check the file is up to date (exit 1 if not).")
    ] = False,
) -> None:
    """Regenerate docs/contract.md from contract.yaml and the reference seeds."""
    from core.contract.docs_render import (
        CONTRACT_DOC_PATH,
        render_contract_markdown,
        write_contract_docs,
    )

    path = out or CONTRACT_DOC_PATH
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != render_contract_markdown():
            fail(f"{escape(str(path))} is out of date: run `lipas contract-docs`", code=1)
        console.print(f"{escape(str(path))} is up to date")
        return
    console.print(f"written: {escape(str(write_contract_docs(path)))}")


def register(app: typer.Typer) -> None:
    """Add the template and contract-docs commands to the `lipas` app."""
    app.command("template")(template)
    app.command("contract-docs")(contract_docs)
