"""A receipt (tanda terima) as a clerk's phone shows it: Chromium at 400 px (issue #15 item 1).

The HTML part of the receipt mail is rendered by headless Debian Chromium at 400 px wide. The
page must not scroll sideways (long file names and values wrap), and a screenshot is kept under
tests/artifacts/receipt_400px.png for a look by eye.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
from pathlib import Path

import pytest

from quality.alerts.receipt import Receipt, ReceiptLine, render_receipt

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTH, HEIGHT = 400, 1400
WINDOW = 500  # headless Chromium's narrowest window

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin"),
]


def _receipt() -> Receipt:
    """A late resubmission with an error and two warnings, as receipts_run builds them."""
    return Receipt(
        submission_id="s7q2m4k9",
        original_name="laporan_bulanan_BP1101_2026-01_perbaikan_final_revisi_kedua.xlsx",
        sha256="3f9a6c21d07b" + "0" * 52,
        received_at=dt.datetime(2026, 2, 10, 20, 30),  # 11/02 03:30 WIB, a day late
        kode_bapas="BP1101",
        nama_bapas="Bapas Kelas I Banda Aceh",
        period="2026-01",
        outcome="accepted",
        deadline=dt.date(2026, 2, 10),
        version=2,
        replaces_version=1,
        replaces_received_at=dt.datetime(2026, 2, 5, 1, 0),
        resolved_count=3,
        lines=(
            ReceiptLine(
                "warning",
                "KLIEN",
                14,
                "wajib_lapor_hadir",
                "35",
                "Jumlah wajib lapor yang dihadiri di luar rentang 0 sampai 31.",
                "isi angka bulat 0 sampai 31",
            ),
            ReceiptLine(
                "error",
                "PESERTA",
                9,
                "hadir",
                "mungkin",
                "Isian ini tidak dapat dibaca untuk kolom ini, sehingga dianggap kosong.",
                "isi dengan Y atau N",
            ),
            ReceiptLine(
                "warning",
                "KEGIATAN",
                4,
                "tanggal",
                "31/02/2026",
                "Tanggal kegiatan di luar bulan laporan.",
                "isi tanggal di dalam bulan 2026-01, format dd/mm/yyyy",
            ),
        ),
    )


def _chromium(args: list[str], profile: Path) -> str:
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
            "--virtual-time-budget=5000",
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW},{HEIGHT}",
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=90,
    )
    return done.stdout


def _phone_frame(page: str) -> str:
    """The receipt inside a 400 px wide frame, which records the receipt's laid-out width.

    Headless Chromium will not open a window narrower than 500 px: a 400 px screenshot of the
    page itself would be a 500 px layout with its right edge cut off. A srcdoc frame is exactly
    400 CSS px wide and same-origin, so the host can measure it.
    """
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0}'
        f"iframe{{border:0;width:{WIDTH}px;height:{HEIGHT}px;display:block}}</style></head>"
        f'<body><iframe id="phone" srcdoc="{html.escape(page, quote=True)}"></iframe>'
        "<script>window.addEventListener('load', () => {"
        "const doc = document.getElementById('phone').contentDocument;"
        "document.body.dataset.frameWidth = doc.defaultView.innerWidth;"
        "document.body.dataset.scrollWidth = doc.documentElement.scrollWidth;});"
        "</script></body></html>"
    )


def test_receipt_fits_400px_without_sideways_scroll(tmp_path: Path) -> None:
    from PIL import Image

    host = tmp_path / "phone.html"
    host.write_text(_phone_frame(render_receipt(_receipt()).html), encoding="utf-8")
    dom = _chromium(["--dump-dom", host.as_uri()], tmp_path / "profile")
    frame = re.search(r'data-frame-width="(\d+)"', dom)
    scroll = re.search(r'data-scroll-width="(\d+)"', dom)
    assert frame and scroll, dom[-500:]
    assert int(frame.group(1)) == WIDTH
    # Long file names and values wrap: nothing is reached only by scrolling sideways.
    assert int(scroll.group(1)) <= WIDTH, f"receipt is {scroll.group(1)} px wide at {WIDTH} px"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = tmp_path / "window.png"
    _chromium([f"--screenshot={shot}", host.as_uri()], tmp_path / "profile")
    with Image.open(shot) as window:
        phone = window.crop((0, 0, WIDTH, HEIGHT))
    phone.save(ARTIFACTS / "receipt_400px.png")
    assert phone.size == (WIDTH, HEIGHT)
    low, high = phone.convert("L").getextrema()
    assert low < 100 < high, "screenshot is blank"
