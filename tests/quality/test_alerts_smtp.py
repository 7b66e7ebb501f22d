"""Delivery over a real SMTP server on loopback (aiosmtpd): recipients, content, CID, retries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from test_alerts_support import AS_OF, PERIOD, PLANTED_NAME, build_warehouse

from core.settings import Settings
from quality.alerts import notify_operators, run_report
from quality.alerts.compose import content_id
from quality.alerts.config import MailConfig, load_mail_config

RECIPIENTS = """role,email
ditjen,data.quality@ditjenpas.go.id
kanwil:KW11,kanwil.aceh@ditjenpas.go.id
bapas:BP1102,bapas.kutacane@ditjenpas.go.id
bapas:BP1201,bapas.medan@ditjenpas.go.id
bapas:BP1202,bapas.sibolga@ditjenpas.go.id
bapas:BP3201,bapas.bandung@ditjenpas.go.id
"""
SIXTEEN_DIGITS = re.compile(r"(?<!\d)(?:\d[\s.\-]?){15}\d(?!\d)")


class Collector:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[tuple[str, ...], EmailMessage]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        message = email.message_from_bytes(content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append((tuple(envelope.rcpt_tos), message))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.received if address in rcpts]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(port: int) -> tuple[Controller, Collector]:
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler


def _config(home: Settings, port: int) -> MailConfig:
    recipients = home.home / "recipients.csv"
    recipients.write_text(RECIPIENTS, encoding="utf-8")
    return load_mail_config(
        {
            "LIPAS_SMTP_HOST": "127.0.0.1",
            "LIPAS_SMTP_PORT": str(port),
            "LIPAS_SMTP_SECURITY": "none",
            "LIPAS_MAIL_FROM": "lipas@ditjenpas.go.id",
            "LIPAS_MAIL_RECIPIENTS": str(recipients),
            "LIPAS_SMTP_RETRIES": "2",
            "LIPAS_SMTP_BACKOFF_SECONDS": "0",
            "LIPAS_SMTP_TIMEOUT_SECONDS": "5",
        }
    )


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _all_text(message: EmailMessage) -> str:
    texts = [str(p.get_content()) for p in message.walk() if p.get_content_maintype() == "text"]
    return "\n".join([str(message["Subject"]), *texts])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Collector]]:
    port = _free_port()
    controller, handler = _start(port)
    yield port, handler
    controller.stop()


@pytest.fixture
def home(lipas_home: Settings) -> Settings:
    build_warehouse(lipas_home.warehouse_path, lipas_home.quarantine_dir)
    return lipas_home


def test_messages_reach_each_role(home: Settings, smtp_server: tuple[int, Collector]) -> None:
    port, server = smtp_server
    result = run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=_config(home, port))
    assert (result.sent, result.pending, result.errors) == (result.queued, 0, ())

    (digest,) = server.to("data.quality@ditjenpas.go.id")
    assert digest["Subject"] == "[LIPAS] Ringkasan mutu data Nasional · 2025-04-12"
    assert "Bapas Kelas II Kutacane" in _text(digest) and "Jakarta Pusat" in _text(digest)
    html = digest.get_body(preferencelist=("html",))
    assert html is not None and f"cid:{content_id('heatmap')}" in str(html.get_content())
    images = {p["Content-ID"]: p for p in digest.walk() if p.get_content_type() == "image/png"}
    assert set(images) == {f"<{content_id('heatmap')}>", f"<{content_id('trend')}>"}
    assert images[f"<{content_id('heatmap')}>"].get_content()[:4] == b"\x89PNG"

    (kanwil,) = server.to("kanwil.aceh@ditjenpas.go.id")
    assert "Kutacane" in _text(kanwil) and "Medan" not in _text(kanwil)

    (fixlist,) = server.to("bapas.sibolga@ditjenpas.go.id")
    assert fixlist["Subject"].startswith("[LIPAS] Daftar perbaikan laporan BP1202")
    assert "Sheet PESERTA, baris 14, kolom `no_register`" in _text(fixlist)
    kutacane = {m["Subject"] for m in server.to("bapas.kutacane@ditjenpas.go.id")}
    assert kutacane == {"[LIPAS] Laporan melewati batas waktu · BP1102"}
    # Each Bapas only hears about itself.
    for rcpts, _ in server.received:
        assert len(rcpts) == 1
    for _, message in server.received:
        text = _all_text(message)
        assert not SIXTEEN_DIGITS.search(text), message["Subject"]
        assert PLANTED_NAME not in text


def test_failed_delivery_is_kept_and_resent(home: Settings) -> None:
    port = _free_port()  # nothing listens here yet: the mail server is down
    config = _config(home, port)
    first = run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=config)
    assert first.sent == 0 and first.pending == first.queued > 0 and first.failed == first.queued
    assert (first.report_dir / "digest.html").is_file()
    con = duckdb.connect(str(home.warehouse_path), read_only=True)
    try:
        rows = con.execute("select status, attempts, last_error from quality.outbox").fetchall()
    finally:
        con.close()
    assert {(status, attempts) for status, attempts, _ in rows} == {("pending", 2)}
    assert all("Connection" in error or "refused" in error for *_, error in rows)

    controller, server = _start(port)
    try:
        next_day = AS_OF + dt.timedelta(days=1)
        second = run_report(home, PERIOD, as_of=next_day, send=True, mail_config=config)
    finally:
        controller.stop()
    assert second.pending == 0 and second.sent == first.queued + second.queued
    digests = server.to("data.quality@ditjenpas.go.id")
    assert sorted(m["Subject"][-10:] for m in digests) == ["2025-04-12", "2025-04-13"]
    today = next(m for m in digests if m["Subject"].endswith("2025-04-13"))
    assert "Email yang gagal terkirim" in _text(today)
    # Findings announced yesterday (even though the mail was late) are not new again.
    assert "Temuan baru sejak ringkasan terakhir" not in _text(today)
    assert len(server.to("bapas.sibolga@ditjenpas.go.id")) == 1


def test_eml_copy_kept_on_disk(home: Settings, smtp_server: tuple[int, Collector]) -> None:
    port, _ = smtp_server
    result = run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=_config(home, port))
    eml = sorted(Path(result.report_dir / "mail").glob("*.eml"))
    assert [p.name for p in eml][:1] == ["bapas_BP1102_overdue.eml"]
    assert len(eml) == result.queued


def test_notify_operators_falls_back_to_ditjen(
    home: Settings, smtp_server: tuple[int, Collector]
) -> None:
    port, server = smtp_server
    delivered = notify_operators(
        home,
        subject="[LIPAS] Run gagal: nightly",
        body="dbt build failed",
        mail_config=_config(home, port),
    )
    assert delivered
    (message,) = server.to("data.quality@ditjenpas.go.id")
    assert message["Subject"] == "[LIPAS] Run gagal: nightly"
    assert "dbt build failed" in _text(message)


def test_notify_operators_reports_a_dead_server(home: Settings) -> None:
    config = _config(home, _free_port())
    assert not notify_operators(home, subject="x", body="y", mail_config=config)
    assert list(home.reports_dir.glob("*/mail/operators_*.eml"))


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not installed: cannot make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def test_starttls_with_login(home: Settings, tls_files: tuple[Path, Path]) -> None:
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[bytes] = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        logins.append(auth_data.login)
        return AuthResult(success=auth_data.password == b"rahasia")

    handler, port = Collector(), _free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        config = dataclasses.replace(
            _config(home, port),
            host="localhost",
            security="starttls",
            user="lipas",
            password="rahasia",
            ca_file=cert,
        )
        result = run_report(home, PERIOD, as_of=AS_OF, send=True, mail_config=config)
    finally:
        controller.stop()
    assert result.sent == result.queued > 0 and result.errors == ()
    assert set(logins) == {b"lipas"}
    assert handler.to("data.quality@ditjenpas.go.id")
