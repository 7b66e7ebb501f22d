"""Build the static site: published marts in, `reports/kinerja/<date>/` and `latest/` out.

Pure: no Dagster, no warehouse writes. The folder is written beside its final name and renamed
into place, then copied to `latest/` the same way, so a reader never opens a half-built site.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from core.period import jakarta_today
from publishing.external import EXTERNAL_LINK
from publishing.site.data import Marts, load_external, load_snapshot
from publishing.site.draw import draw_charts
from publishing.site.fmt import figure, number, percent
from publishing.site.pages import build_page, latest_month
from publishing.snapshot import SNAPSHOT_NAME

logger = logging.getLogger(__name__)

SITE_DIR = "kinerja"
LATEST = "latest"


@dataclass(frozen=True)
class SiteResult:
    """What a build wrote."""

    site_dir: Path
    latest_dir: Path
    pages: int
    month: str | None
    external: bool


def site_root(reports_dir: Path, *, external: bool = False) -> Path:
    """`reports/kinerja/` (Ditjen) or `reports/kinerja-eksternal/` (suppressed) under LIPAS_HOME."""
    return reports_dir / (f"{SITE_DIR}-eksternal" if external else SITE_DIR)


def build_site(
    reports_dir: Path,
    marts: Marts,
    *,
    external: bool = False,
    built_on: dt.date | None = None,
) -> SiteResult:
    """Render every page from the published marts into `kinerja/<date>/` and `kinerja/latest/`.

    Args:
        reports_dir: LIPAS_HOME/reports.
        marts: from `load_snapshot` (Ditjen only) or `load_external` (the suppressed copy).
        external: the marts are the suppressed external copy: the site goes to
            `kinerja-eksternal/` and says that small counts are hidden.
        built_on: the folder date (default today in Jakarta).
    """
    root = site_root(reports_dir, external=external)
    root.mkdir(parents=True, exist_ok=True)
    # Named by Jakarta date: the nightly runs at 01:00 WIB, 18:00 UTC the day before.
    day = (built_on or jakarta_today()).isoformat()
    tmp = root / f".{day}.tmp-{uuid.uuid4().hex[:8]}"
    latest_tmp = root / f".{LATEST}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        pages = render_site(marts, tmp, external=external, day=day)
        final = _swap_in(tmp, root / day)
        shutil.copytree(final, latest_tmp)
        latest = _swap_in(latest_tmp, root / LATEST)
    finally:
        for leftover in (tmp, latest_tmp):
            shutil.rmtree(leftover, ignore_errors=True)
    logger.info("site: %d pages in %s", pages, final)
    return SiteResult(final, latest, pages, latest_month(marts), external)


def render_site(marts: Marts, out: Path, *, external: bool, day: str) -> int:
    """Write every page, its charts and the stylesheet into `out`; return the page count."""
    env = Environment(
        loader=PackageLoader("publishing.site", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(fig=figure, number=number, percent=percent)
    template = env.get_template("page.html.j2")
    month = latest_month(marts)
    out.mkdir(parents=True)
    (out / "site.css").write_text(env.get_template("site.css").render(), encoding="utf-8")
    areas = marts.areas()
    pages = [build_page(marts, area, month, marts.need_labels) for area in areas]
    # All charts first (in parallel: they are nearly all of a build's time), then the pages.
    draw_charts(pages, out)
    for page in pages:
        depth = page.path.count("/")
        html = template.render(
            page=page,
            root="../" * depth,
            external=external,
            day=day,
            kanwil_pages=[a for a in areas if a.level == "kanwil"],
        )
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return len(areas)


def _swap_in(tmp: Path, final: Path) -> Path:
    """Replace `final` with `tmp` by renames (a directory cannot be os.replace'd when full)."""
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        final.rename(old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def build_published_site(
    reports_dir: Path,
    published_dir: Path,
    *,
    external: bool = False,
    built_on: dt.date | None = None,
) -> SiteResult:
    """Build from what `lipas publish` wrote: the snapshot, or its suppressed external copy."""
    if external:
        marts = load_external(published_dir / EXTERNAL_LINK)
    else:
        marts = load_snapshot(published_dir / SNAPSHOT_NAME)
    return build_site(reports_dir, marts, external=external, built_on=built_on)
