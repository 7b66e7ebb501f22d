"""Entry point of the `lipas` console script; each command lives in its own module."""

from __future__ import annotations

import importlib
import sys

import click
import typer
from typer.core import TyperCommand

# Each module exposes `register(app)`. Heavy imports (dagster, dbt, pandas) stay inside the
# command functions so `lipas --help` and quick commands start fast.
COMMAND_MODULES: tuple[str, ...] = (
    "cli.template_cmd",
    "cli.generate_cmd",
    "cli.ingest_cmd",
    "cli.reprocess_cmd",
    "cli.report_cmd",
    "cli.nightly_cmd",
    "cli.check_cmd",
    "cli.build_cmd",
    "cli.publish_cmd",
    "cli.site_cmd",
    "cli.sql_cmd",
    "cli.purge_cmd",
    "cli.docs_cmd",
    "cli.backup_cmd",
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
    app.callback()(_refuse_development_key)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)
    _hide_flag_types(app)
    return app


# Commands that never pseudonymise or publish: they run even where the key is not set yet.
KEY_FREE_COMMANDS = frozenset({"template", "generate", "backup", "restore"})


def _refuse_development_key(ctx: typer.Context) -> None:
    """In prod, every command that reads or writes client data needs the real pseudonym key.

    Regression (issue #18 item 4): only ingest refused the development key; `check`, `build`
    and `publish` ran in prod without LIPAS_PSEUDONYM_KEY.
    """
    # The subcommand's arguments are not parsed yet; its help must work on an unset server.
    if ctx.invoked_subcommand in KEY_FREE_COMMANDS or "--help" in sys.argv[1:]:
        return
    from cli.common import fail
    from core.settings import ConfigurationError
    from ingestion.pseudonymise import require_production_key

    try:
        require_production_key(purpose=f"`lipas {ctx.invoked_subcommand}`")
    except ConfigurationError as exc:
        fail(str(exc))


class FlagCommand(TyperCommand):
    """A command whose help shows on/off flags without a value type (`--json`, not `<bool>`).

    Regression (issue 14 item 10): every help screen printed `<bool>` after the flags (and
    after --help), which reads as if a value had to follow.
    """

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        """The parameters, with an empty metavar on every flag (the help renderer shows it)."""
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


def _hide_flag_types(app: typer.Typer) -> None:
    """Build every registered command with `FlagCommand` (one place, not one flag at a time)."""
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = FlagCommand


def main() -> None:
    """Run the CLI."""
    build_app()()
