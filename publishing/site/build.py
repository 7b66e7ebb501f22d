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
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from publishing.external import EXTERNAL_LINK
from publishing.site import charts
from publishing.site.data import Marts, load_external, load_snapshot
from publishing.site.fmt import figure, number, percent
from publishing.site.model import Page
from publishing.site.pages import build_page, latest_month
from publishing.snapshot import SNAPSHOT_NAME

logger = logging.getLogger(__name__)

SITE_DIR = "kinerja"
LATEST = "latest"
TIMEZONE = "Asia/Jakarta"


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


def jakarta_today() -> dt.date:
    """The nightly runs at 01:00 WIB (18:00 UTC the day before): name folders by Jakarta date."""
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


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
    for area in areas:
        page = build_page(marts, area, month, marts.need_labels)
        _draw_charts(page, out)
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


def _draw_charts(page: Page, out: Path) -> None:
    """Charts only where there is something to draw (a silent office gets none)."""
    stem = f"img/{page.area.level}_{page.area.code}"
    if any(r.cells["clients_with_need"].value for r in page.needs):
        page.charts["coverage"] = (
            charts.coverage_chart(
                out / f"{stem}_kebutuhan.png",
                [r.label for r in page.needs],
                [r.cells["clients_with_need"] for r in page.needs],
                [r.cells["clients_need_addressed"] for r in page.needs],
            )
            .relative_to(out)
            .as_posix()
        )
    # An office that never reported gets no trend picture: its 0% reporting rate is in the text.
    if any(c.value is not None for c in page.reach_trend):
        page.charts["trend"] = (
            charts.trend_chart(
                out / f"{stem}_tren.png",
                page.months,
                {"Jangkauan klien": page.reach_trend, "Tingkat pelaporan": page.reporting_trend},
            )
            .relative_to(out)
            .as_posix()
        )
    if any(c.value for cells in page.funding_trend.values() for c in cells):
        page.charts["funding"] = (
            charts.funding_chart(out / f"{stem}_dana.png", page.months, page.funding_trend)
            .relative_to(out)
            .as_posix()
        )
    if len(page.ranking_trend) > 1:
        page.charts["multiples"] = (
            charts.small_multiples(
                out / f"{stem}_perbandingan.png", page.months, page.ranking_trend
            )
            .relative_to(out)
            .as_posix()
        )


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
