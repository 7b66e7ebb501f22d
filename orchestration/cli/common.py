"""Small helpers shared by CLI commands: error exits and period parsing."""

from __future__ import annotations

import re
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

console = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error on stderr and exit with `code` (2 = bad usage or input)."""
    console.print(f"[bold red]error:[/bold red] {escape(message)}")
    raise typer.Exit(code)


def parse_period_option(value: str) -> tuple[int, int]:
    """'YYYY-MM' -> (year, month), or exit 2 with a message that shows the expected form."""
    match = PERIOD_RE.match(value.strip())
    if not match:
        fail(f"period {value!r} is not a month in the form YYYY-MM (e.g. 2025-03)")
    return int(match.group(1)), int(match.group(2))
