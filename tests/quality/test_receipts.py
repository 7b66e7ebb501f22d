"""Receipts (tanda terima) minutes after a file lands (issue #15 item 1).

The end-to-end test drops a file into landing, evaluates the landing sensor against a real
Dagster instance, runs the `ingest_on_arrival` job as a recorded run and receives the receipt on
a loopback SMTP server (aiosmtpd). Nothing waits on a clock: the run is executed in-process.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest
from test_alerts_smtp import Collector, _free_port, _start, _text

from core.settings import Settings
from quality.alerts.receipt import Receipt, ReceiptLine, render_receipt
from synthetic.generate import generate

KODE = "BP1101"
PERIODE = "2026-01"


def _receipt(**changes: object) -> Receipt:
    values: dict[str, object] = {
        "submission_id": "s1",
        "original_name": "laporan_bulanan_BP1101_2026-01.xlsx",
        "sha256": "ab" * 32,
        "received_at": dt.datetime(2026, 2, 10, 20, 30),  # 11/02 03:30 WIB
        "kode_bapas": KODE,
        "nama_bapas": "Bapas Kelas I Banda Aceh",
        "period": PERIODE,
        "outcome": "accepted",
        "deadline": dt.date(2026, 2, 10),
    }
    values.update(changes)
    return Receipt(**values)  # type: ignore[arg-type]


def test_receipt_states_time_in_wib_hash_and_lateness() -> None:
    """Received 10/02 20:30 UTC is 11/02 03:30 WIB: one day after a 10/02 deadline."""
    md = render_receipt(_receipt()).markdown
    assert "11/02/2026 03:30 WIB" in md and "UTC" not in md
    assert "abababababab" in md and "ab" * 20 not in md
    assert "Terlambat 1 hari (batas 10/02/2026)" in md
    assert "DITERIMA" in md and "Bapas Kelas I Banda Aceh (BP1101)" in md
    on_time = render_receipt(_receipt(received_at=dt.datetime(2026, 2, 10, 10, 0))).markdown
    assert "Tepat waktu (batas 10/02/2026)" in on_time


def test_receipt_lists_errors_first_with_value_as_typed_and_what_to_type() -> None:
    lines = (
        ReceiptLine("warning", "KLIEN", 3, "umur", "130", "Umur tidak wajar.", "isi 0-100"),
        ReceiptLine("error", "PESERTA", 9, "hadir", "ya", "Tidak terbaca.", "isi dengan Y atau N"),
    )
    rendered = render_receipt(_receipt(lines=lines))
    md = rendered.markdown
    assert md.index("PESERTA") < md.index("KLIEN, baris 3")
    assert "`hadir`: `ya`" in md and "Yang harus diisi: isi dengan Y atau N" in md
    assert 'class="error"' in rendered.html


def test_resubmission_receipt_names_the_version_it_replaces() -> None:
    md = render_receipt(
        _receipt(
            version=2,
            replaces_version=1,
            replaces_received_at=dt.datetime(2026, 2, 5, 1, 0),
            resolved_count=3,
        )
    ).markdown
    assert "menggantikan versi 1 yang diterima 05/02/2026 08:00 WIB" in md
    assert "sudah tidak ada lagi: 3" in md


@pytest.mark.parametrize("outcome", ["rejected", "held"])
def test_refused_receipt_says_what_to_do_and_unread_period(outcome: str) -> None:
    md = render_receipt(
        _receipt(
            outcome=outcome,
            period=None,
            deadline=None,
            problem="Berkas rusak.",
            hint="Simpan ulang lalu kirim.",
        )
    ).markdown
    assert "periode tidak terbaca" in md and "?" not in md.split("---")[0]
    assert "Berkas rusak." in md and "Simpan ulang lalu kirim." in md
    assert "Isian yang perlu diperbaiki" not in md


@pytest.fixture
def smtp() -> Iterator[tuple[int, Collector]]:
    port = _free_port()
    controller, handler = _start(port)
    yield port, handler
    controller.stop()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean generated monthly report with one Y/N cell typed as "mungkin" (a row issue)."""
    out = tmp_path_factory.mktemp("gen") / "landing"
    generate(out, PERIODE, 1, 7, bapas=1, faults="none", messy_share=0.0, workers=1)
    path = next(out.rglob(f"laporan_bulanan_{KODE}_{PERIODE}.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["PESERTA"]
    column = [c.value for c in sheet[1]].index("hadir") + 1
    sheet.cell(row=5, column=column, value="mungkin")
    book.save(path)
    return path


def test_receipt_reaches_the_bapas_after_sensor_and_on_arrival_job(
    lipas_home: Settings,
    smtp: tuple[int, Collector],
    report_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drop a file, evaluate the landing sensor on a real instance, run `ingest_on_arrival`:
    the receipt is written under reports/receipts/<KODE>/ and arrives at bapas:<KODE>."""
    from orchestration.defs.sensors import landing_sensor
    from orchestration.instance import prepare_dagster_home, run_job

    port, collector = smtp
    recipients = lipas_home.home / "recipients.csv"
    recipients.write_text(f"role,email\nbapas:{KODE},aceh@bapas.go.id\n", encoding="utf-8")
    for key, value in {
        "LIPAS_SMTP_HOST": "127.0.0.1",
        "LIPAS_SMTP_PORT": str(port),
        "LIPAS_SMTP_SECURITY": "none",
        "LIPAS_MAIL_FROM": "lipas@ditjenpas.go.id",
        "LIPAS_MAIL_RECIPIENTS": str(recipients),
        "LIPAS_SMTP_RETRIES": "1",
        "LIPAS_SMTP_BACKOFF_SECONDS": "0",
        "LIPAS_SMTP_TIMEOUT_SECONDS": "10",
    }.items():
        monkeypatch.setenv(key, value)
    prepare_dagster_home(lipas_home)
    monkeypatch.setenv("DAGSTER_HOME", str(lipas_home.dagster_home))

    landed = lipas_home.landing_dir / KODE / PERIODE / report_file.name
    landed.parent.mkdir(parents=True)
    shutil.copy(report_file, landed)
    dropped = time.time()

    with dg.DagsterInstance.get() as instance:
        tick = landing_sensor(dg.build_sensor_context(cursor=None, instance=instance))
    assert isinstance(tick, dg.SensorResult) and len(tick.run_requests) == 1
    # The definitions bind LIPAS_HOME when first loaded in this process (another test may have
    # loaded them with its own home): name this test's home in the run config.
    home_config = {"resources": {"lipas": {"config": {"home": str(lipas_home.home)}}}}
    outcome = run_job(lipas_home, "ingest_on_arrival", home_config, quiet=True)
    assert outcome.success, outcome

    folder = lipas_home.reports_dir / "receipts" / KODE
    with duckdb.connect(str(lipas_home.warehouse_path), read_only=True) as con:
        outbox = con.execute(
            "select message_key, status, last_error from quality.outbox"
        ).fetchall()
    assert len(collector.to("aceh@bapas.go.id")) == 1, (outbox, sorted(folder.glob("*")))
    (mail,) = collector.to("aceh@bapas.go.id")
    body = _text(mail)
    assert KODE in str(mail["Subject"]) and "DITERIMA" in str(mail["Subject"])
    assert report_file.name in body and "WIB" in body and "Terlambat" in body
    assert "`hadir`: `mungkin`" in body and "Y atau N" in body
    # Regression: the parser's words ("dibaca sebagai yn; disimpan kosong (NULL)") leaked.
    assert "NULL" not in body and "sebagai yn" not in body
    assert sorted(p.suffix for p in folder.iterdir()) == [".eml", ".html", ".json", ".md"]
    with duckdb.connect(str(lipas_home.warehouse_path), read_only=True) as con:
        created, status = con.execute(
            "select created_at, status from quality.outbox where kind = 'receipt'"
        ).fetchone()  # type: ignore[misc]
    assert status == "sent"
    # The figure the issue asks for (reported, never asserted: CI machines are loaded).
    latency = created.replace(tzinfo=dt.UTC).timestamp() - dropped
    print(f"landed -> receipt in outbox: {latency:.1f} s (sensor tick + on-arrival run)")

    # A second run of the job sends nothing again: the receipt exists.
    assert run_job(lipas_home, "ingest_on_arrival", home_config, quiet=True).success
    assert len(collector.to("aceh@bapas.go.id")) == 1
