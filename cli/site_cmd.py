"""`lipas site`: build the static leadership performance site from the published snapshot."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import console, fail
from core.settings import load_settings


def register(app: typer.Typer) -> None:
    """Add the site command."""

    @app.command("site")
    def site(
        external: Annotated[
            bool,
            typer.Option(
                "--external",
                help="Build from the suppressed external copy (run `lipas publish --external` "
                "first), for sharing outside Ditjen.",
            ),
        ] = False,
    ) -> None:
        """Build reports/kinerja/<date>/ and reports/kinerja/latest/ (open index.html)."""
        from publishing.site.build import build_published_site
        from publishing.site.data import SiteDataError
        from quality.config import judging_day

        settings = load_settings()
        try:
            result = build_published_site(
                settings.reports_dir,
                settings.published_dir,
                external=external,
                built_on=judging_day(home=settings.home),
            )
        except SiteDataError as exc:
            fail(str(exc), code=1)
        console.print(
            f"site: {result.pages} pages for {result.month or 'no data yet'} in {result.site_dir}"
        )
        typer.echo(str(result.latest_dir / "index.html"))
