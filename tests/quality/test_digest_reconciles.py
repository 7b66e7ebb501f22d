"""Issue 13: the digest's own numbers reconcile with each other and with what was delivered.

Three contradictions seen in a demo run: offices that sent a rejected file were listed both as
"ditolak" and as "belum mengirim" (and their clerk got a fix-list plus a notice saying the report
was "belum kami terima"); "5 masih terbuka" sat above a table showing 0 still open; and the digest
said "daftar perbaikan sudah dikirim" when nothing had been sent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from test_alerts_support import AS_OF, PERIOD, build_warehouse

from core.period import window_months
from core.settings import Settings
from quality.alerts import run_report
from quality.alerts.config import MailConfig, load_mail_config
from quality.alerts.digest import build_digest
from quality.alerts.directory import load_directory
from quality.alerts.fixlist import bapas_needing_fixlist, build_fixlist
from quality.alerts.i18n import text
from quality.alerts.model import AlertHistory, AlertInputs, Finding, Rejection, StatusRow
from quality.alerts.notices import build_notices
from quality.alerts.render import render_digest, render_notice

DEADLINE = dt.date(2025, 4, 10)  # PERIOD 2025-03, AS_OF 2025-04-12: two days overdue


def _row(kode: str, status: str, kanwil: str = "KW11") -> StatusRow:
    reported = status in ("on_time", "late")
    return StatusRow(
        kode_bapas=kode,
        kode_kanwil=kanwil,
        report_kind="monthly",
        period=PERIOD,
        deadline=DEADLINE,
        received=status in ("on_time", "late", "rejected"),
        first_received_at=None,
        accepted=reported,
        on_time=status == "on_time",
        status=status,
        days_overdue=0 if reported else (AS_OF - DEADLINE).days,
        possibly_inactive=False,
        counts_as_expected=True,
        counts_as_reported=reported,
        counts_as_on_time=status == "on_time",
    )


def _rejection(kode: str, sid: str, *, inferred: bool) -> Rejection:
    return Rejection(
        submission_id=sid,
        original_name=f"laporan_bulanan_{kode}_{PERIOD}.xlsx",
        report_kind="monthly",
        kode_bapas=kode,
        period=PERIOD,
        received_at=dt.datetime(2025, 4, 8, 3),
        error_code="file_damaged",
        error_summary="berkas rusak / damaged file",
        message_id="Berkas rusak dan tidak dapat dibuka",
        owner_inferred=inferred,
    )


def _finding(fid: str, kode: str) -> Finding:
    return Finding(
        finding_id=fid,
        rule_id="CONS_X",
        rule_family="consistency",
        severity="error",
        report_kind="monthly",
        kode_bapas=kode,
        kode_kanwil="KW11",
        period=PERIOD,
        affected_rows=1,
        sample_rows=(),
        message_id=f"pesan {fid}",
        hint_id="",
        message_en=f"message {fid}",
        hint_en="",
        first_seen=None,
        resolved_at=None,
        status="open",
    )


def _inputs(
    status: tuple[StatusRow, ...],
    rejections: tuple[Rejection, ...] = (),
    findings: tuple[Finding, ...] = (),
) -> AlertInputs:
    return AlertInputs(
        as_of=AS_OF,
        period=PERIOD,
        months=window_months(PERIOD),
        status=status,
        findings=findings,
        rejections=rejections,
        scores=(),
        undelivered=(),
        quality_available=True,
    )


# --- a rejected file is "ditolak, belum dikirim ulang", never "belum mengirim" ----------------


@pytest.fixture
def rejected_mix() -> AlertInputs:
    # BP1102's damaged file carried no readable identity, so the register (which only sees
    # ledger identities) says "missing"; the alerts infer its owner from the file name. BP1103
    # sent a rejected file the register did tie to it. BP1201 really sent nothing.
    return _inputs(
        (
            _row("BP1101", "on_time"),
            _row("BP1102", "missing"),
            _row("BP1103", "rejected"),
            _row("BP1201", "missing", "KW12"),
        ),
        (
            _rejection("BP1102", "sub-1102", inferred=True),
            _rejection("BP1103", "sub-1103", inferred=False),
        ),
    )


def test_rejected_office_is_not_listed_as_missing(rejected_mix: AlertInputs) -> None:
    digest = build_digest(rejected_mix, AlertHistory(), load_directory())
    assert [m.kode_bapas for m in digest.missing] == ["BP1201"]
    assert {r.kode_bapas for r in digest.rejected} == {"BP1102", "BP1103"}
    missing = next(h for h in digest.headline if h.key == "missing")
    assert (missing.value, missing.note) == ("1", text("h_missing_note", "id", n=1))
    contact = [a for a in digest.actions if a.startswith("Hubungi")]
    assert contact == [
        text("a_missing", "id", n=1, name=digest.missing[0].nama_bapas, days=2),
    ]


def test_rejected_office_gets_a_fixlist_and_no_not_received_notice(
    rejected_mix: AlertInputs,
) -> None:
    directory = load_directory()
    notices = build_notices(rejected_mix, AlertHistory(), directory)
    assert [(n.kind, n.kode_bapas) for n in notices] == [("overdue", "BP1201")]
    assert "belum kami terima" in render_notice(notices[0], "id", "n").markdown
    assert bapas_needing_fixlist(rejected_mix) == ("BP1102", "BP1103")
    fix = build_fixlist(rejected_mix, AlertHistory(), directory, "BP1102", "id")
    assert [e.kind for e in fix.entries] == ["rejection"]


def test_reported_office_with_an_old_rejection_is_neither_missing_nor_rejected() -> None:
    inputs = _inputs((_row("BP1102", "late"),), (_rejection("BP1102", "s", inferred=False),))
    digest = build_digest(inputs, AlertHistory(), load_directory())
    assert (digest.missing, digest.rejected, digest.rejected_fixed) == ((), (), 1)


# --- "N masih terbuka" is the number the tables show still open ------------------------------


def test_still_open_is_one_number_everywhere() -> None:
    findings = (_finding("f1", "BP1101"), _finding("f2", "BP1102"), _finding("f3", "BP1101"))
    # f3 was announced yesterday: persisting; f1 and f2 are new today. Before, the headline said
    # "3 masih terbuka" above a table whose "Masih terbuka" column said 1.
    history = AlertHistory(frozenset({("ditjen", "f3", "new")}))
    digest = build_digest(_inputs((), findings=findings), history, load_directory())
    markdown = render_digest(digest, {}, {"trend": "t.png", "heatmap": "h.png"}, "d").markdown
    (headline,) = re.findall(r"\((\d+) masih terbuka\)", markdown)
    header = next(line for line in markdown.splitlines() if line.startswith("| Tingkat |"))
    error_row = next(line for line in markdown.splitlines() if line.startswith("| Error"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    cells = [c.strip() for c in error_row.strip("|").split("|")]
    assert columns.count("Masih terbuka") == 1
    assert cells[columns.index("Masih terbuka")] == headline == "3"
    assert sum(errors for _k, _n, errors, _w in digest.open_by_bapas) == 3


# --- "daftar perbaikan sudah dikirim" only when it was delivered -----------------------------


@pytest.mark.parametrize(
    ("sent", "says_sent"),
    [
        pytest.param(None, False, id="preview: nothing is sent"),
        pytest.param(frozenset(), False, id="delivery failed"),
        pytest.param(frozenset({"BP1101"}), False, id="one of two delivered"),
        pytest.param(frozenset({"BP1101", "BP1102"}), True, id="all delivered"),
    ],
)
def test_sent_only_on_delivery(sent: frozenset[str] | None, says_sent: bool) -> None:
    findings = (_finding("f1", "BP1101"), _finding("f2", "BP1102"))
    inputs = _inputs((), findings=findings)
    digest = build_digest(inputs, AlertHistory(), load_directory(), fixlists_sent=sent)
    (line,) = [a for a in digest.actions if "temuan error baru" in a]
    assert ("daftar perbaikan sudah dikirim" in line) is says_sent


RECIPIENTS = "role,email\nditjen,d@x.id\nbapas:BP1202,s@x.id\nbapas:BP3201,b@x.id\n"


class _Sink:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


@pytest.fixture
def smtp_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def _mail(home: Settings, host: str | None, port: int = 25) -> MailConfig:
    path = home.home / "recipients.csv"
    path.write_text(RECIPIENTS, encoding="utf-8")
    env = {"LIPAS_MAIL_RECIPIENTS": str(path), "LIPAS_SMTP_SECURITY": "none"}
    if host:
        env |= {"LIPAS_SMTP_HOST": host, "LIPAS_SMTP_PORT": str(port)}
        env |= {"LIPAS_SMTP_RETRIES": "1", "LIPAS_SMTP_TIMEOUT_SECONDS": "5"}
    return load_mail_config(env)


def _error_action(report_dir: Path) -> str:
    digest = json.loads((report_dir / "digest.json").read_text(encoding="utf-8"))
    (line,) = [a for a in digest["actions"] if "temuan error baru" in a]
    return str(line)


def test_digest_reports_the_delivery_result(lipas_home: Settings, smtp_port: int) -> None:
    # The scenario's new errors are at BP1202 and BP3201, both with an address.
    build_warehouse(lipas_home.warehouse_path, lipas_home.quarantine_dir)
    config = _mail(lipas_home, "127.0.0.1", smtp_port)
    result = run_report(lipas_home, PERIOD, as_of=AS_OF, send=True, mail_config=config)
    assert result.errors == ()
    assert "daftar perbaikan sudah dikirim" in _error_action(result.report_dir)


def test_digest_does_not_claim_an_undelivered_fixlist_was_sent(lipas_home: Settings) -> None:
    build_warehouse(lipas_home.warehouse_path, lipas_home.quarantine_dir)
    result = run_report(
        lipas_home, PERIOD, as_of=AS_OF, send=True, mail_config=_mail(lipas_home, None)
    )
    line = _error_action(result.report_dir)
    assert "sudah dikirim" not in line
    assert "belum menerimanya" in line
    preview = run_report(lipas_home, PERIOD, as_of=AS_OF, mail_config=_mail(lipas_home, None))
    assert "belum dikirim (pratinjau)" in _error_action(preview.report_dir)
