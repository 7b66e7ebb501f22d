"""`lipas docs`: build the dbt docs site against the warehouse, optionally serve it on loopback.

dbt's own `dbt docs serve` binds every interface and needs the project's target/ folder; we
want one self-contained page an operator can open from disk or a copy on a share, so we run
`dbt docs generate --static` into a build folder under LIPAS_HOME/reports/dbt_docs/ and copy
`static_index.html` (manifest and catalog inlined, no network) to `index.html` next to the
JSON files. `--serve` serves that folder on 127.0.0.1 only.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import (
    DBT_TARGETS,
    choice_option,
    console,
    fail,
    positive_int_option,
)

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from core.settings import Settings
    from orchestration.dbt_invocation import DbtResult

BUILD_DIR = ".build"
COPIED = ("manifest.json", "catalog.json")
DEFAULT_PORT = 8580


@dataclass(frozen=True)
class DbtDocs:
    """Where `build_dbt_docs` left the site, and the dbt run that made it."""

    site: Path
    index: Path
    result: DbtResult


def docs_dir(settings: Settings) -> Path:
    """LIPAS_HOME/reports/dbt_docs: the static site (index.html, manifest.json, catalog.json)."""
    return settings.reports_dir / "dbt_docs"


def build_dbt_docs(settings: Settings, target: str | None = None) -> DbtDocs:
    """Run `dbt docs generate --static` against the warehouse and copy the static site out.

    The build folder is our own `--target-path`, so a concurrent `lipas build` or the nightly
    (which use the warehouse's own dbt/ folder) never see half-written docs artifacts.
    """
    from orchestration.dbt_invocation import dbt_command, dbt_env, run_dbt

    site = docs_dir(settings)
    build = site / BUILD_DIR
    build.mkdir(parents=True, exist_ok=True)
    env = dbt_env(settings, target=target)
    env["DBT_LOG_PATH"] = str(build / "logs")
    args = dbt_command("docs generate", target_path=build, extra_args=("--static",))
    result = run_dbt(args, env, target_path=build)
    index = site / "index.html"
    static = build / "static_index.html"
    if result.success and static.is_file():
        for name in COPIED:
            shutil.copyfile(build / name, site / name)
        # Copy under a temp name then rename: a browser open on the old page never reads half.
        tmp = site / ".index.html.tmp"
        shutil.copyfile(static, tmp)
        tmp.replace(index)
    return DbtDocs(site, index, result)


def make_server(site: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server for the site bound to 127.0.0.1 only (no LAN exposure on a shared host)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        fail(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another --port")


def serve(site: Path, port: int) -> None:
    """Serve the site until Ctrl-C."""
    server = make_server(site, port)
    console.print(f"dbt docs: http://127.0.0.1:{port}/  (Ctrl-C stops)", soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def docs(
    serve_site: Annotated[
        bool, typer.Option("--serve", help="After building, serve the site on 127.0.0.1.")
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve (1-65535).")] = DEFAULT_PORT,
    target: Annotated[
        str | None,
        typer.Option(help="duckdb or postgres (default: LIPAS_DBT_TARGET, else duckdb)."),
    ] = None,
) -> None:
    """Build the dbt docs site (models, columns, lineage) under LIPAS_HOME/reports/dbt_docs/."""
    from core.settings import ConfigurationError, load_settings

    choice_option(target, "--target", DBT_TARGETS)
    positive_int_option(port, "--port", 65535)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        fail(str(exc))
    chosen = target or settings.dbt_target
    if chosen == "duckdb" and not settings.warehouse_path.is_file():
        fail(f"no warehouse at {settings.warehouse_path}: run `lipas build` first")
    with console.status("dbt docs generate ..."):
        built = build_dbt_docs(settings, chosen)
    if not built.result.success or not built.index.is_file():
        tail = "".join(built.result.output.splitlines(keepends=True)[-20:])
        console.print(tail, markup=False, highlight=False)
        fail("dbt docs generate failed (last lines above)", code=1)
    console.print(f"[green]dbt docs[/green]: {built.index}", soft_wrap=True)
    if serve_site:
        serve(built.site, port)


def register(app: typer.Typer) -> None:
    """Attach `lipas docs` to the CLI."""
    app.command("docs")(docs)
