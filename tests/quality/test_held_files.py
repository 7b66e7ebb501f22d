"""A held file has its own finding and is "ditahan" in the digest and fix-list, not "ditolak".

Regression: a file held for an identity mismatch left no row in quality.findings (`lipas check`
and the finding history never showed it), and the digest listed it under "Berkas ditolak" with
the rejected files, telling the office to resend although, with a correct IDENTITAS sheet, no
resend was needed. Real ingest, real checks, real rendering.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from core.settings import Settings
from quality.alerts.digest import build_digest
from quality.alerts.directory import load_directory
from quality.alerts.fixlist import build_fixlist
from quality.alerts.loader import load_inputs
from quality.alerts.model import AlertHistory
from quality.alerts.render import render_digest, render_fixlist
from quality.runner import run_checks
from tests.fixtures.ingestion.builders import monthly_report, set_mtime, write_xlsx
from tests.ingestion.ingest_helpers import run_ingest

AS_OF = dt.date(2026, 7, 20)
HELD_PATH = "BP1301/2026-06/laporan_bulanan_BP1301_2026-06.xlsx"


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


@pytest.fixture
def held_home(lipas_home: Settings) -> Settings:
    """BP1301's June folder holds a file whose IDENTITAS says May: held, not rejected."""
    path = write_xlsx(monthly_report("BP1301", "2026-05"), lipas_home.landing_dir / HELD_PATH)
    set_mtime(path, dt.datetime(2026, 6, 5, 2, 0))
    assert run_ingest(lipas_home).files[0].status == "held"
    run_checks(lipas_home, as_of=AS_OF, periods=["2026-05", "2026-06"],
               bapas=frozenset({"BP1301"}), with_gx=False, data_docs=False)  # fmt: skip
    return lipas_home


def test_held_file_has_its_own_finding(held_home: Settings) -> None:
    with duckdb.connect(str(held_home.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select rule_id, rule_family, severity, kode_bapas, periode, message_id, hint_id"
            " from quality.findings where rule_id like 'HELD%' or rule_id = 'REJ_FILE'"
        ).fetchall()
    assert len(rows) == 1, rows
    rule_id, family, severity, kode, period, message, hint = rows[0]
    assert (rule_id, family, severity, kode, period) == (
        "HELD_IDENTITY", "rejected_file", "error", "BP1301", "2026-05",
    )  # fmt: skip
    assert message.startswith("Berkas laporan_bulanan_BP1301_2026-06.xlsx ditahan")
    assert "IDENTITAS menyebut BP1301 periode 2026-05" in message
    assert "menyebut BP1301 periode 2026-06" in message and "ditolak" not in message
    assert "tidak perlu kirim ulang" in hint and "perbaiki kode_bapas dan periode" in hint


def test_digest_lists_held_files_as_ditahan(held_home: Settings) -> None:
    with duckdb.connect(str(held_home.warehouse_path), read_only=True) as con:
        inputs = load_inputs(con, "2026-06", AS_OF, held_home.quarantine_dir)
    digest = build_digest(inputs, AlertHistory(), load_directory())
    assert digest.rejected == ()
    assert {(r.kode_bapas, r.period) for r in digest.held} == {
        ("BP1301", "2026-05"), ("BP1301", "2026-06"),
    }  # fmt: skip
    assert any("berkas ditahan menunggu keputusan" in a for a in digest.actions)
    src = {"trend": "trend.png", "heatmap": "heatmap.png"}
    markdown = render_digest(digest, {}, src, "digest").markdown
    assert "## Berkas ditahan" in markdown and "## Berkas ditolak" not in markdown
    assert "identity_mismatch" in markdown.split("## Berkas ditahan", 1)[1]


def test_fixlist_says_held_and_attaches_no_blank_form(held_home: Settings) -> None:
    with duckdb.connect(str(held_home.warehouse_path), read_only=True) as con:
        inputs = load_inputs(con, "2026-06", AS_OF, held_home.quarantine_dir)
    fix = build_fixlist(inputs, AlertHistory(), load_directory(), "BP1301", "id")
    held = [e for e in fix.entries if e.kind == "held"]
    assert [e.rule_id for e in held] == ["HELD_IDENTITY"]  # once, though under two periods
    assert all("ditahan" in e.message.lower() for e in held)
    assert not [e for e in fix.entries if e.kind == "rejection"]
    assert fix.held_only and fix.forms == ()
    markdown = render_fixlist(fix, "id", "fixlist").markdown
    assert "Berkas Anda sudah diterima tetapi ditahan" in markdown
    assert "belum dapat diterima" not in markdown and "rejected_file." not in markdown
