"""One Data Docs site for every GX suite, kept whole across runs and readable offline.

Why not GX's own index: each GX run uses an ephemeral context, and GX's index builder deletes
every page its (empty) stores do not know about, so `lipas check` wiped the mart pages and the
nightly's asset checks wiped the raw-table pages (issue 14 item 7). Its index is also drawn by
bootstrap-table from a CDN, so offline it was empty. Here GX renders only the pages
(`build_index=False`); this module keeps the newest page per suite, strips CDN tags from what GX
wrote, and writes a plain-HTML index (no JavaScript) from one small JSON record per suite.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from quality.data_docs_css import OFFLINE_CSS, OFFLINE_CSS_NAME

RECORDS_DIR = ".suites"
GX_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
_CDN_LINK = re.compile(r"<link\b[^>]*\bhref=[\"']https?://[^>]*>\s*", re.I)
_CDN_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>\s*", re.I)
_GX_ASSET = re.compile(re.escape(GX_ASSETS) + r"([\w.-]+)(\?[^\"')]*)?")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class SuiteRecord:
    """What the index shows for one suite: its latest result and where its pages are."""

    suite: str
    family: str  # "raw" (lipas check) or "mart" (the nightly's asset checks)
    success: bool
    evaluated: int
    unsuccessful: int
    validated_at: str
    page: str  # validation page, relative to the site root
    suite_page: str  # expectation suite page, relative to the site root


def suite_family(suite: str) -> str:
    """Mart suites are named `mart_<table>` by quality.gx_marts; the rest are raw tables."""
    return "mart" if suite.startswith("mart_") else "raw"


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temp file + rename: `lipas check` and the nightly may write the site at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _static_prefix(page: Path, site: Path) -> str:
    """Relative path from a page back to the site root ("../../" for validations/a/b/x.html)."""
    depth = len(page.relative_to(site).parts) - 1
    return "../" * depth


def offline_html(text: str, prefix: str, site: Path) -> str:
    """GX page HTML without CDN scripts/styles, GX's remote images mapped to the local copies."""
    text = _CDN_SCRIPT.sub("", text)
    text = _CDN_LINK.sub("", text)

    def local_image(match: re.Match[str]) -> str:
        name = match.group(1)
        if not (site / "static" / "images" / name).is_file():
            name = "logo-long.png"
        return f"{prefix}static/images/{name}"

    text = _GX_ASSET.sub(local_image, text)
    link = f'<link rel="stylesheet" href="{prefix}static/styles/{OFFLINE_CSS_NAME}">\n'
    if OFFLINE_CSS_NAME not in text:
        text = text.replace("</head>", link + "</head>", 1)
    return text


def _offline_static(site: Path) -> None:
    """Our stylesheet next to GX's, and GX's own CSS without its remote background image."""
    styles = site / "static" / "styles"
    _write_atomic(styles / OFFLINE_CSS_NAME, OFFLINE_CSS)
    default = styles / "data_docs_default_styles.css"
    if default.is_file():
        text = default.read_text(encoding="utf-8")
        if GX_ASSETS in text:
            _write_atomic(default, _GX_ASSET.sub("../images/logo-long.png", text))


def _latest_page(site: Path, suite: str) -> Path | None:
    """Newest validation page GX wrote for the suite; older runs' folders are removed."""
    root = site / "validations" / suite
    pages = sorted(root.glob("*/*/*.html"), key=lambda p: p.stat().st_mtime_ns)
    if not pages:
        return None
    newest = pages[-1]
    keep = newest.parent.parent  # validations/<suite>/<run_name>/<run_time>/<batch>.html
    for run_name in root.iterdir():
        for run_time in run_name.iterdir() if run_name.is_dir() else ():
            if run_time != newest.parent:
                shutil.rmtree(run_time, ignore_errors=True)
        if run_name != keep and run_name.is_dir() and not any(run_name.iterdir()):
            run_name.rmdir()
    return newest


def record_validation(site: Path, suite: str, statistics: dict[str, object]) -> SuiteRecord | None:
    """After GX rendered one suite's pages: keep the newest, make them offline, rewrite the index.

    `statistics` is the GX validation result's `statistics` (evaluated/unsuccessful counts).
    """
    page = _latest_page(site, suite)
    if page is None:
        return None
    _offline_static(site)
    suite_page = site / "expectations" / f"{suite}.html"
    for path in (page, suite_page):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            _write_atomic(path, offline_html(text, _static_prefix(path, site), site))
    evaluated = int(str(statistics.get("evaluated_expectations") or 0))
    unsuccessful = int(str(statistics.get("unsuccessful_expectations") or 0))
    record = SuiteRecord(
        suite=suite,
        family=suite_family(suite),
        success=bool(statistics.get("success_percent") == 100.0 or unsuccessful == 0),
        evaluated=evaluated,
        unsuccessful=unsuccessful,
        validated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        page=page.relative_to(site).as_posix(),
        suite_page=suite_page.relative_to(site).as_posix() if suite_page.is_file() else "",
    )
    name = _SAFE_NAME.sub("_", suite)
    _write_atomic(site / RECORDS_DIR / f"{name}.json", json.dumps(asdict(record), indent=1))
    write_index(site)
    return record


def load_records(site: Path) -> list[SuiteRecord]:
    """Every suite's latest record whose page still exists (mart suites first, then raw)."""
    out = []
    for path in sorted((site / RECORDS_DIR).glob("*.json")):
        try:
            record = SuiteRecord(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            continue  # a half-written or older-format record: the next run rewrites it
        if (site / record.page).is_file():
            out.append(record)
    return sorted(out, key=lambda r: (r.family != "mart", r.suite))


_TITLES = {
    "mart": "Marts (asset checks of the nightly build)",
    "raw": "Raw tables (lipas check: every current submission in the judging window)",
}


def _row(record: SuiteRecord) -> str:
    status = (
        '<span class="lipas-pass">passed</span>'
        if record.success
        else f'<span class="lipas-fail">{record.unsuccessful} failing</span>'
    )
    suite_link = (
        f'<a href="{html.escape(record.suite_page)}">expectations</a>' if record.suite_page else ""
    )
    return (
        f'<tr><td><a href="{html.escape(record.page)}">{html.escape(record.suite)}</a></td>'
        f"<td>{status}</td><td>{record.evaluated}</td>"
        f"<td>{html.escape(record.validated_at)}</td><td>{suite_link}</td></tr>"
    )


def render_index(records: list[SuiteRecord]) -> str:
    """The site index as plain HTML: readable with JavaScript off and no network."""
    sections = []
    for family in ("mart", "raw"):
        rows = [_row(r) for r in records if r.family == family]
        body = "\n".join(rows) or '<tr><td colspan="5" class="text-muted">no results yet</td></tr>'
        sections.append(
            f'<h2>{_TITLES[family]}</h2>\n<table class="table table-sm" id="suites-{family}">'
            "<thead><tr><th>Suite</th><th>Latest result</th><th>Expectations</th>"
            f"<th>Validated</th><th>Suite</th></tr></thead>\n<tbody>\n{body}\n</tbody></table>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        "<title>lipas Data Docs</title>\n"
        f'<link rel="stylesheet" href="static/styles/{OFFLINE_CSS_NAME}">\n'
        '</head><body><div class="container">\n<h1>lipas Data Docs</h1>\n'
        '<p class="text-muted">Latest Great Expectations result of every suite. Raw-table suites '
        "are refreshed by <code>lipas check</code>, mart suites by the nightly build.</p>\n"
        + "\n".join(sections)
        + "\n</div></body></html>\n"
    )


def write_index(site: Path) -> Path:
    """(Re)write index.html from the suite records."""
    _offline_static(site)
    index = site / "index.html"
    _write_atomic(index, render_index(load_records(site)))
    return index
