"""Data Docs: one site with every suite's latest result (raw + marts), readable offline.

Regression for issue 14 item 7: each GX run wiped the other's pages (after a nightly only the
mart pages remained) and, offline, the index was empty and pages unstyled (everything came
from CDNs).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import qbuild

from core.settings import Settings
from quality.data_docs import load_records, offline_html, render_index
from quality.gx_marts import validate_marts
from quality.gx_suites import ExpectationSpec, GxRunner
from quality.runner import run_checks

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# A <script src=...> or <link href=...> that would fetch from the network.
REMOTE_ASSET = re.compile(r"<(script|link)\b[^>]*\b(src|href)=[\"']https?://", re.I)
# Chromium with the network cut: every host resolves to nothing, every proxy is a dead port.
OFFLINE_FLAGS = ("--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Path]]:
    """`lipas check` (raw suites) then the nightly's mart checks into the same LIPAS_HOME."""
    from core.settings import load_settings

    home = tmp_path_factory.mktemp("data_docs") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIPAS_HOME", str(home))
        mp.setenv("LIPAS_ENV", "dev")
        settings = load_settings()
        settings.ensure_dirs()
        con = qbuild.connect(settings.warehouse_path)
        qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                              received_at=dt.datetime(2025, 4, 1))  # fmt: skip
        con.close()
        summary = run_checks(settings, as_of=dt.date(2025, 4, 20), periods=["2025-03"],
                             bapas=frozenset({"BP1101"}))  # fmt: skip
        assert summary.data_docs is not None
        con = duckdb.connect(str(settings.warehouse_path))
        con.execute("create schema marts")
        con.execute(
            # The score above 100 fails the one GX check left on this mart (issue 13: the rate
            # ranges are dbt tests only).
            "create table marts.mart_submission_compliance as select * from (values (0.5, 0.25,"
            " 80.0), (0.9, 0.1, 180.0)) t(reporting_rate, on_time_rate, mean_quality_score)"
        )
        con.close()
        validate_marts(settings)
        yield settings, settings.reports_dir / "data_docs"


def test_check_and_nightly_pages_stay_together(site: tuple[Settings, Path]) -> None:
    # Failure before the fix: the mart run's index build deleted every raw-table page.
    _settings, docs = site
    records = {r.suite: r for r in load_records(docs)}
    raw = {s for s, r in records.items() if r.family == "raw"}
    marts = {s for s, r in records.items() if r.family == "mart"}
    assert "monthly_klien" in raw and "mart_mart_submission_compliance" in marts
    for record in records.values():
        assert (docs / record.page).is_file(), record.page
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert 'href="validations/monthly_klien/' in index
    assert 'href="validations/mart_mart_submission_compliance/' in index
    assert not records["mart_mart_submission_compliance"].success
    assert "1 failing" in index


def test_rerun_keeps_only_the_latest_result_per_suite(tmp_path: Path) -> None:
    # One validation page per suite: the index must not point at stale results.
    frame = pd.DataFrame({"jk": ["L", "X"], "_row_number": [2, 3]})
    spec = ExpectationSpec("R_JK", "jk", "in_set", "error", (("value_set", ["L", "P"]),))
    GxRunner(tmp_path).validate("klien", frame, [spec])  # yesterday's check: 1 failing
    GxRunner(tmp_path).validate("klien", frame.iloc[:1], [spec])  # today's: all pass
    pages = list((tmp_path / "validations" / "klien").glob("*/*/*.html"))
    assert len(pages) == 1
    (record,) = load_records(tmp_path)
    assert record.success and (tmp_path / record.page) == pages[0]


def test_no_page_loads_scripts_or_styles_from_the_network(site: tuple[Settings, Path]) -> None:
    _settings, docs = site
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not REMOTE_ASSET.search(text), page
        assert "great-expectations-web-assets" not in text, page
    for css in (docs / "static" / "styles").glob("*.css"):
        assert "http" not in css.read_text(encoding="utf-8"), css
    assert "<script" not in (docs / "index.html").read_text(encoding="utf-8")


def test_offline_html_strips_cdn_tags_and_adds_local_css(tmp_path: Path) -> None:
    page = (
        '<html><head><link rel="stylesheet" href="https://maxcdn.example/b.css"/>\n'
        '<script src="https://code.jquery.com/jquery.js" crossorigin="x"></script>\n'
        '<link rel="shortcut icon" href="../static/images/favicon.ico"/></head><body>'
        '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/x.png?d=1">'
        "</body></html>"
    )
    out = offline_html(page, "../", tmp_path)
    assert not REMOTE_ASSET.search(out)
    assert 'href="../static/styles/lipas_offline.css"' in out
    assert 'src="../static/images/logo-long.png"' in out
    assert "favicon.ico" in out


def test_index_without_results_says_so() -> None:
    assert render_index([]).count("no results yet") == 2


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            *OFFLINE_FLAGS,
            f"--user-data-dir={profile}",
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin")
def test_index_renders_offline_in_chromium(site: tuple[Settings, Path], tmp_path: Path) -> None:
    from matplotlib.image import imread

    _settings, docs = site
    index = (docs / "index.html").as_uri()
    # The DOM chromium built with the network cut still lists both kinds of suite.
    dom = _chromium(["--dump-dom", index], tmp_path / "p1").stdout
    assert "monthly_klien" in dom and "mart_mart_submission_compliance" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {
        "data_docs_index.png": index,
        "data_docs_validation.png": (
            docs / load_records(docs)[0].page  # the mart suite (marts sort first)
        ).as_uri(),
    }
    for name, url in shots.items():
        shot = ARTIFACTS / name
        shot.unlink(missing_ok=True)
        _chromium([f"--screenshot={shot}", "--window-size=1200,900", url], tmp_path / name)
        pixels = imread(shot)
        assert pixels.shape[:2] == (900, 1200)
        assert float(pixels[..., :3].std()) > 0.05, f"{name} is blank"
