"""run_report end to end on a synthetic warehouse: files, announce-once state, CLI, screenshot."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from test_alerts_support import AS_OF, PERIOD, PLANTED_NIK, build_warehouse, execute
from typer.testing import CliRunner

from core.settings import Settings
from quality.alerts import run_report
from quality.alerts.config import load_mail_config

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def home(lipas_home: Settings) -> Settings:
    build_warehouse(lipas_home.warehouse_path, lipas_home.quarantine_dir)
    return lipas_home


def _no_smtp(home: Settings) -> object:
    """Recipients configured but no SMTP host: messages queue in the outbox, state is recorded."""
    path = home.home / "recipients.csv"
    path.write_text(
        "role,email\nditjen,d@x.id\nbapas:BP1202,s@x.id\nbapas:BP1201,m@x.id\n", encoding="utf-8"
    )
    return load_mail_config({"LIPAS_MAIL_RECIPIENTS": str(path)})


def _digest(result_dir: Path, variant: str = "") -> dict[str, object]:
    return dict(json.loads((result_dir / f"digest{variant}.json").read_text(encoding="utf-8")))


def test_preview_writes_every_format_without_touching_state(home: Settings) -> None:
    result = run_report(home, PERIOD, as_of=AS_OF, mail_config=load_mail_config({}))
    names = {p.relative_to(result.report_dir).as_posix() for p in result.files}
    assert {
        "digest.html",
        "digest.md",
        "digest.json",
        "digest_heatmap.png",
        "digest_trend.png",
        "bapas/BP1202/fixlist.md",
        "bapas/BP1201/fixlist.html",
        "bapas/BP1102/overdue.md",
    } <= names
    html = (result.report_dir / "digest.html").read_text(encoding="utf-8")
    assert 'src="digest_heatmap.png"' in html and "cid:" not in html
    for path in result.files:
        if path.suffix in (".html", ".md", ".json"):
            text = path.read_text(encoding="utf-8")
            assert PLANTED_NIK not in text and "3201 2345" not in text, path
    assert result.headline["reporting_rate"] == 0.625
    con = duckdb.connect(str(home.warehouse_path), read_only=True)
    try:
        tables = {
            r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()
        }
    finally:
        con.close()
    assert "alert_log" not in tables and "outbox" not in tables


def test_announce_once_then_persisting_then_resolved_once(home: Settings) -> None:
    config = _no_smtp(home)
    day1 = run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=config)
    assert {f["finding_id"] for f in _digest(day1.report_dir)["new_findings"]} == {
        "f-peserta",
        "f-biaya",
        "f-nik",
    }

    day2 = run_report(
        home, PERIOD, as_of=AS_OF + dt.timedelta(days=1), send=True, mail_config=config
    )
    digest2 = _digest(day2.report_dir)
    assert digest2["new_findings"] == []
    assert [row[0] for row in digest2["open_by_bapas"]] == ["BP1202", "BP3201"]
    assert {u["audience"] for u in digest2["undelivered"]} == {
        "ditjen",
        "bapas:BP1201",
        "bapas:BP1202",
    }
    assert not (day2.report_dir / "mail" / "bapas_BP1202_fixlist.eml").exists()

    execute(
        home.warehouse_path,
        "update quality.findings set status = 'resolved', resolved_at = ? "
        "where finding_id = 'f-peserta'",
        [dt.datetime(2025, 4, 13, 20)],
    )
    day3 = run_report(
        home, PERIOD, as_of=AS_OF + dt.timedelta(days=2), send=True, mail_config=config
    )
    assert [f["finding_id"] for f in _digest(day3.report_dir)["resolved"]] == ["f-peserta"]
    notice = json.loads((day3.report_dir / "bapas/BP1202/resolution.json").read_text())
    assert [i["key"] for i in notice["items"]] == ["f-peserta"]

    day4 = run_report(
        home, PERIOD, as_of=AS_OF + dt.timedelta(days=3), send=True, mail_config=config
    )
    assert _digest(day4.report_dir)["resolved"] == []
    assert not (day4.report_dir / "bapas/BP1202/resolution.json").exists()


def test_accepted_resubmission_clears_rejection(home: Settings) -> None:
    config = _no_smtp(home)
    run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=config)
    execute(
        home.warehouse_path,
        # As the register writes an accepted late report (issue 13: the digest counts the flags).
        "update quality.submission_status set status = 'late', received = true, accepted = true,"
        " counts_as_reported = true where kode_bapas = 'BP1201' and periode = ?",
        [PERIOD],
    )
    day2 = run_report(
        home, PERIOD, as_of=AS_OF + dt.timedelta(days=1), send=True, mail_config=config
    )
    digest = _digest(day2.report_dir)
    assert (digest["rejected"], digest["rejected_fixed"]) == ([], 1)
    notice = json.loads((day2.report_dir / "bapas/BP1201/resolution.json").read_text())
    assert [i["key"] for i in notice["items"]] == ["rejection|sub-rej-1201"]
    assert not (day2.report_dir / "bapas/BP1201/fixlist.json").exists()


def test_rerun_same_day_is_stable(home: Settings) -> None:
    config = _no_smtp(home)
    first = run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=config)
    again = run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=config)
    assert _digest(first.report_dir)["new_findings"] == _digest(again.report_dir)["new_findings"]
    rows = execute(home.warehouse_path, "select count(*) from quality.outbox")
    assert rows == [(first.queued,)]


def test_failed_quality_check_reaches_summary_without_status(lipas_home: Settings) -> None:
    """Only findings exist (the register step failed): the summary still shows them."""
    build_warehouse(lipas_home.warehouse_path, lipas_home.quarantine_dir)
    execute(lipas_home.warehouse_path, "drop table quality.submission_status")
    result = run_report(lipas_home, PERIOD, as_of=AS_OF, mail_config=load_mail_config({}))
    digest = _digest(result.report_dir)
    assert {f["finding_id"] for f in digest["new_findings"]} >= {"f-peserta"}
    assert any("lipas check" in a for a in digest["actions"])


def test_run_failures_are_listed(home: Settings) -> None:
    entry = {
        "run_id": "r1",
        "job": "nightly",
        "message": "dbt build failed",
        "failed_at": "2025-04-11T19:00:00+00:00",
    }
    (home.reports_dir / "run_failures.jsonl").write_text(json.dumps(entry) + "\n")
    result = run_report(home, PERIOD, as_of=AS_OF, lang="en", mail_config=load_mail_config({}))
    digest = _digest(result.report_dir, ".en")
    assert [f["job"] for f in digest["run_failures"]] == ["nightly"]
    assert digest["actions"][0].startswith("1 nightly runs failed")


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        pytest.param(
            ["--period", PERIOD, "--as-of", "2025-04-12"], 0, "digest.preview.html", id="ok"
        ),
        pytest.param(["--period", "2025-3"], 2, "YYYY-MM", id="bad period"),
        pytest.param(["--period", PERIOD, "--lang", "fr"], 2, "--lang", id="bad language"),
        pytest.param(["--period", PERIOD, "--as-of", "12/04/2025"], 2, "YYYY-MM-DD", id="bad date"),
    ],
)
def test_cli(home: Settings, args: list[str], code: int, expected: str) -> None:
    from cli.app import build_app

    result = CliRunner().invoke(build_app(), ["report", *args])
    assert result.exit_code == code, result.output
    assert expected in result.output


def test_english_and_preview_never_overwrite_the_nightly_report(home: Settings) -> None:
    """Regression (issue 14 item 6): `lipas report --lang en` overwrote the nightly's Bahasa
    digest and every Bapas fix-list of the same day; variants now get their own names."""
    from cli.app import build_app

    nightly = run_report(home, PERIOD, as_of=AS_OF, mail_config=load_mail_config({}))
    before = {p: p.read_bytes() for p in nightly.files}
    assert before[nightly.report_dir / "digest.md"].decode().count("Periode") >= 1
    day = AS_OF.isoformat()
    for lang in ("en", "id"):
        result = CliRunner().invoke(
            build_app(), ["report", "--period", PERIOD, "--as-of", day, "--lang", lang]
        )
        assert result.exit_code == 0, result.output
    # The nightly's Bahasa files are byte for byte what the nightly wrote.
    assert {p: p.read_bytes() for p in nightly.files} == before
    english = run_report(home, PERIOD, as_of=AS_OF, lang="en", mail_config=load_mail_config({}))
    names = {p.relative_to(english.report_dir).as_posix() for p in english.files}
    assert {"digest.en.html", "digest.en.md", "digest_trend.en.png",
            "bapas/BP1201/fixlist.en.md"} <= names  # fmt: skip
    html = (english.report_dir / "digest.en.html").read_text(encoding="utf-8")
    assert 'src="digest_heatmap.en.png"' in html
    report_dir = nightly.report_dir
    assert (report_dir / "digest.en.preview.md").is_file()
    assert (report_dir / "digest.preview.md").is_file()
    assert (report_dir / "bapas/BP1201/fixlist.preview.md").is_file()
    assert {p: p.read_bytes() for p in nightly.files} == before


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin")
def test_summary_renders_in_chromium(home: Settings, tmp_path: Path) -> None:
    from matplotlib.image import imread

    result = run_report(home, PERIOD, as_of=AS_OF, mail_config=load_mail_config({}))
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "alerts_digest.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            (result.report_dir / "digest.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1200)
    assert float(pixels[..., :3].std()) > 0.05, "screenshot is blank"
    shutil.copy(result.report_dir / "digest_heatmap.png", ARTIFACTS / "alerts_heatmap.png")
