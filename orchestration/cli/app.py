"""Entry point of the `lipas` console script; each command lives in its own module."""

from __future__ import annotations

import importlib

import typer

# Each module exposes `register(app)`. Heavy imports (dagster, dbt, pandas) stay inside the
# command functions so `lipas --help` and quick commands start fast.
COMMAND_MODULES: tuple[str, ...] = (
    "orchestration.cli.template_cmd",
    "orchestration.cli.generate_cmd",
    "orchestration.cli.ingest_cmd",
    "orchestration.cli.report_cmd",
    "orchestration.cli.nightly_cmd",
    "orchestration.cli.check_cmd",
    "orchestration.cli.build_cmd",
    "orchestration.cli.publish_cmd",
    "orchestration.cli.sql_cmd",
)


def build_app() -> typer.Typer:
    """Assemble the Typer app from the command modules."""
    app = typer.Typer(
        name="lipas",
        help="lipas-warehouse: ingest Bapas reports, build the warehouse, check quality, report.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)
    return app


def main() -> None:
    """Run the CLI."""
    build_app()()
