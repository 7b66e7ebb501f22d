"""The leadership site (and the Ditjen digest) in headless Chromium: screenshots at phone and
desktop width into tests/artifacts/, and no sideways scrolling at 400 px."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.settings import Settings
from publishing.site.build import build_site
from publishing.site.data import load_snapshot
from tests.publishing.pipeline_data import AS_OF

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PAGES = {"national": "index.html", "kanwil": "kanwil/KW11.html", "bapas": "bapas/BP1101.html"}
PHONE = 400
# Chromium's headless window is at least 500 px wide, so `--window-size=400,...` does not give
# a 400 px layout to measure; a 400 px iframe does (media queries follow the frame's width).
FRAME = """<!doctype html><html><body style="margin:0">
<iframe id="page" src="{src}" style="width:{width}px;height:900px;border:0"></iframe>
<script>
window.addEventListener("load", function () {{
  var root = document.getElementById("page").contentDocument.documentElement;
  document.body.setAttribute("data-widths", root.scrollWidth + " " + root.clientWidth);
}});
</script></body></html>"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin"),
]


def _chromium(tmp: Path, *args: str) -> str:
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={tmp / 'chromium'}",
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def page_widths(folder: Path, page: str, tmp: Path, width: int = PHONE) -> tuple[int, int]:
    """(scrollWidth, clientWidth) of `page` laid out `width` px wide."""
    frame = folder / "_measure.html"
    frame.write_text(FRAME.format(src=page, width=width), encoding="utf-8")
    dom = _chromium(
        tmp,
        "--allow-file-access-from-files",
        "--window-size=1200,900",
        "--dump-dom",
        frame.as_uri(),
    )
    frame.unlink()
    found = re.search(r'data-widths="(\d+) (\d+)"', dom)
    assert found, f"measuring {page} failed: {dom[-500:]}"
    return int(found[1]), int(found[2])


@pytest.fixture(scope="module")
def site(pipeline_snapshot: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built site in its own folder (measuring frames are written into it)."""
    marts = load_snapshot(pipeline_snapshot.published_dir / "lipas.duckdb")
    result = build_site(tmp_path_factory.mktemp("reports"), marts, built_on=AS_OF)
    return result.latest_dir


@pytest.fixture(scope="module")
def digest_dir(pipeline_snapshot: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Ditjen digest of the same generated data, and the site beside it as in production."""
    from quality.alerts import run_report
    from quality.alerts.config import load_mail_config

    reports = tmp_path_factory.mktemp("home_reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIPAS_HOME", str(pipeline_snapshot.home))
        result = run_report(
            pipeline_snapshot, "2025-02", as_of=AS_OF, mail_config=load_mail_config({})
        )
    copy = reports / result.report_dir.name
    shutil.copytree(result.report_dir, copy)
    build_site(
        reports, load_snapshot(pipeline_snapshot.published_dir / "lipas.duckdb"), built_on=AS_OF
    )
    return copy


def test_the_width_check_sees_a_page_that_is_too_wide(tmp_path: Path) -> None:
    """Control: without it a broken measurement (always 0) would pass every page."""
    (tmp_path / "wide.html").write_text('<div style="width:700px">x</div>', encoding="utf-8")
    scroll, client = page_widths(tmp_path, "wide.html", tmp_path)
    assert scroll > client


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_fits_a_phone_and_is_screenshotted(site: Path, name: str, tmp_path: Path) -> None:
    from matplotlib.image import imread

    scroll, client = page_widths(site, PAGES[name], tmp_path)
    # Regression: the need-coverage table's headers could not wrap and pushed the page to 467 px.
    assert scroll <= client, f"{name} page is {scroll} px wide in a {client} px phone screen"
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((PHONE, 4200), (1600, 3000)):
        shot = ARTIFACTS / f"site_{name}_{width}.png"
        shot.unlink(missing_ok=True)
        _chromium(
            tmp_path,
            f"--screenshot={shot}",
            f"--window-size={width},{height}",
            (site / PAGES[name]).as_uri(),
        )
        pixels = imread(shot)
        assert pixels.shape[:2] == (height, width)
        assert float(pixels[..., :3].std()) > 0.05, f"{shot.name} is blank"


def test_ditjen_digest_fits_a_phone_and_links_the_site(digest_dir: Path, tmp_path: Path) -> None:
    html = (digest_dir / "digest.html").read_text(encoding="utf-8")
    assert 'href="../kinerja/latest/index.html"' in html
    assert (digest_dir / "../kinerja/latest/index.html").resolve().is_file()
    # Regression (issue 17): at 400 px the digest was 649 px wide (763 on this data), the fifth
    # KPI tile cut off and the tables ran off-screen.
    scroll, client = page_widths(digest_dir, "digest.html", tmp_path)
    assert scroll <= client, f"digest is {scroll} px wide in a {client} px phone screen"
    shot = ARTIFACTS / "site_digest_400.png"
    _chromium(
        tmp_path,
        f"--screenshot={shot}",
        f"--window-size={PHONE},2400",
        (digest_dir / "digest.html").as_uri(),
    )


def test_national_page_prints_on_a4(site: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "kinerja.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
              (site / "index.html").as_uri())  # fmt: skip
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes()))
    assert boxes, "no pages printed"
    # The print stylesheet's `@page { size: A4 }`: 210 x 297 mm = 595 x 842 pt.
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}
