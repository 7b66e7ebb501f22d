"""Unit tests of the pure alert builders: classification, rates, privacy, recipients, charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from test_alerts_support import AS_OF, PERIOD, PLANTED_NAME, PLANTED_NIK, build_warehouse

from core.period import compress_months, shift_month, window_months
from core.settings import ConfigurationError, Settings
from quality.alerts.charts import render_heatmap, render_trend
from quality.alerts.classify import classify_findings
from quality.alerts.config import load_mail_config
from quality.alerts.digest import build_digest
from quality.alerts.directory import load_directory
from quality.alerts.fixlist import build_fixlist
from quality.alerts.model import AlertHistory, AlertInputs, Finding, StatusRow
from quality.alerts.notices import build_notices
from quality.alerts.privacy import contains_pii, redact_cell, redact_text
from quality.alerts.rates import rate_of
from quality.alerts.recipients import load_recipients


def _finding(status: str = "open", fid: str = "f1") -> Finding:
    return Finding(
        finding_id=fid,
        rule_id="R1",
        rule_family="validity",
        severity="error",
        report_kind="monthly",
        kode_bapas="BP1101",
        kode_kanwil="KW11",
        period=PERIOD,
        affected_rows=1,
        sample_rows=(),
        message_id="pesan",
        hint_id="",
        message_en="msg",
        hint_en="",
        first_seen=None,
        resolved_at=None,
        status=status,
    )


def _status(kode: str, status: str, deadline: dt.date, received: bool = False) -> StatusRow:
    return StatusRow(
        kode_bapas=kode,
        kode_kanwil="KW11",
        report_kind="monthly",
        period=PERIOD,
        deadline=deadline,
        received=received,
        first_received_at=None,
        accepted=status in ("on_time", "late"),
        on_time=status == "on_time",
        status=status,
        days_overdue=None,
        possibly_inactive=False,
        counts_as_expected=status != "not_yet_due",
        counts_as_reported=status in ("on_time", "late"),
        counts_as_on_time=status == "on_time",
    )


def _inputs(status: tuple[StatusRow, ...] = (), findings: tuple[Finding, ...] = ()) -> AlertInputs:
    return AlertInputs(
        as_of=AS_OF,
        period=PERIOD,
        months=window_months(PERIOD),
        status=status,
        findings=findings,
        rejections=(),
        scores=(),
        undelivered=(),
        quality_available=True,
    )


@pytest.mark.parametrize(
    ("status", "announced", "expected"),
    [
        pytest.param("open", set(), "new", id="first seen is new"),
        pytest.param("open", {"new"}, "persisting", id="announced before is persisting"),
        pytest.param("acknowledged", {"new"}, "persisting", id="acknowledged is still open"),
        pytest.param("resolved", {"new"}, "resolved", id="resolved after announcement"),
        pytest.param("resolved", {"new", "resolved"}, None, id="resolution reported only once"),
        pytest.param("resolved", set(), None, id="never announced resolution is silent"),
    ],
)
def test_classify_findings(status: str, announced: set[str], expected: str | None) -> None:
    history = AlertHistory(frozenset(("ditjen", "f1", kind) for kind in announced))
    view = classify_findings([_finding(status)], "ditjen", history)
    got = [name for name in ("new", "persisting", "resolved") if getattr(view, name)]
    assert got == ([expected] if expected else [])


def test_rate_counts_rejected_as_not_reported() -> None:
    deadline = dt.date(2025, 4, 10)
    rows = [
        _status("BP1101", "on_time", deadline, True),
        _status("BP1102", "late", deadline, True),
        _status("BP1103", "rejected", deadline, True),
        _status("BP1201", "missing", deadline),
    ]
    rate = rate_of(rows, "", "")
    assert (rate.expected, rate.reported, rate.on_time) == (4, 2, 1)
    assert rate.reporting_rate == 0.5
    assert rate.on_time_rate == 0.25


@pytest.mark.parametrize(
    ("latest", "inactive"),
    [
        pytest.param("missing", True, id="still silent: possibly inactive"),
        # Regression: an office silent last year that reports again was flagged inactive.
        pytest.param("on_time", False, id="reports again: only late on old months"),
    ],
)
def test_possibly_inactive_follows_latest_month(latest: str, inactive: bool) -> None:
    from quality.alerts.digest_rows import missing_rows

    old = dataclasses.replace(
        _status("BP1101", "missing", dt.date(2024, 12, 10)),
        period="2024-11",
        possibly_inactive=True,
    )
    new = dataclasses.replace(
        _status("BP1101", latest, dt.date(2025, 4, 10)), possibly_inactive=latest == "missing"
    )
    (row,) = missing_rows([old, new], load_directory(), "id")
    assert row.possibly_inactive is inactive


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        pytest.param("NIK 3201234567890123 salah", True, id="plain 16 digits"),
        pytest.param("NIK 3201 2345 6789 0123 salah", True, id="grouped by spaces"),
        pytest.param("NIK 3201.2345.6789.0123", True, id="grouped by dots"),
        pytest.param("biaya 150000000000000", False, id="15 digits is not a NIK"),
        pytest.param("id 12345678901234567", False, id="17 digits is not a NIK"),
        pytest.param("baris 14 kolom no_register", False, id="ordinary text untouched"),
        # Regression: the fraction of a rate in digest.json was redacted, breaking the JSON.
        pytest.param('"rate": 0.0975609756097561', False, id="decimal fraction untouched"),
    ],
)
def test_redact_text(text: str, redacted: bool) -> None:
    out = redact_text(text)
    assert ("[disamarkan]" in out) is redacted
    assert not contains_pii(out)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        pytest.param("nama", "Siti Aminah", "[disamarkan]", id="name column masked"),
        pytest.param("NIK", "12345", "[disamarkan]", id="nik column masked whatever the value"),
        pytest.param("no_register", "R-0099", "R-0099", id="register number kept"),
        pytest.param("nama", "", "", id="empty stays empty"),
    ],
)
def test_redact_cell(column: str, value: str, expected: str) -> None:
    assert redact_cell(column, value) == expected


@pytest.mark.parametrize(
    ("period", "delta", "expected"),
    [
        pytest.param("2025-03", -1, "2025-02", id="previous month"),
        pytest.param("2025-01", -1, "2024-12", id="across the year"),
        pytest.param("2024-12", 1, "2025-01", id="next year"),
        pytest.param("2025-03", -14, "2024-01", id="more than a year back"),
    ],
)
def test_shift_month(period: str, delta: int, expected: str) -> None:
    assert shift_month(period, delta) == expected


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        pytest.param(["2024-05", "2024-06", "2024-07"], ["2024-05…2024-07"], id="run of three"),
        pytest.param(["2024-05", "2024-06"], ["2024-05", "2024-06"], id="two stay separate"),
        pytest.param(
            ["2025-01", "2024-11", "2024-12", "2025-03"],
            ["2024-11…2025-01", "2025-03"],
            id="unsorted, across the year, then a gap",
        ),
        pytest.param([], [], id="nothing"),
    ],
)
def test_compress_months(months: list[str], expected: list[str]) -> None:
    assert compress_months(months) == expected


def test_window_has_twelve_months_ending_at_period() -> None:
    months = window_months("2025-03")
    assert (len(months), months[0], months[-1]) == (12, "2024-04", "2025-03")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param(
            "r.csv",
            "role,email\nditjen,a@x.id\nbapas:bp1101,b@x.id\nditjen,a@x.id\n",
            id="csv with a duplicate",
        ),
        pytest.param(
            "r.yaml", "ditjen: [a@x.id]\n'bapas:BP1101': b@x.id\n", id="yaml list and scalar"
        ),
    ],
)
def test_load_recipients(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    recipients = load_recipients(path)
    assert recipients.for_audience("ditjen") == ("a@x.id",)
    assert recipients.for_audience("bapas:BP1101") == ("b@x.id",)
    assert recipients.for_audience("bapas:BP9999") == ()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("role,email\nkepala,a@x.id\n", id="unknown role"),
        pytest.param("role,email\nditjen,not-an-address\n", id="bad address"),
        pytest.param("role,email\nditjen,a@x.id\nBcc: evil@x.id\n", id="header injection"),
        pytest.param("peran,surel\nditjen,a@x.id\n", id="wrong header"),
    ],
)
def test_load_recipients_rejects(tmp_path: Path, content: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_recipients(path)


@pytest.mark.parametrize(
    ("env", "expect"),
    [
        pytest.param({}, ("starttls", 587, False), id="defaults: starttls, no host"),
        pytest.param(
            {"LIPAS_SMTP_HOST": "mx", "LIPAS_SMTP_SECURITY": "ssl"},
            ("ssl", 465, True),
            id="ssl default port",
        ),
        pytest.param(
            {"LIPAS_SMTP_HOST": "mx", "LIPAS_SMTP_SECURITY": "none", "LIPAS_SMTP_PORT": "2525"},
            ("none", 2525, True),
            id="explicit port",
        ),
    ],
)
def test_mail_config(env: dict[str, str], expect: tuple[str, int, bool]) -> None:
    config = load_mail_config(env)
    assert (config.security, config.port, config.enabled) == expect


def test_mail_config_hides_password() -> None:
    config = load_mail_config({"LIPAS_SMTP_USER": "u", "LIPAS_SMTP_PASSWORD": "s3cret-pw"})
    assert config.password == "s3cret-pw"
    assert "s3cret-pw" not in repr(config)


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"LIPAS_SMTP_SECURITY": "tls"}, id="unknown security"),
        pytest.param({"LIPAS_SMTP_PORT": "abc"}, id="port not a number"),
        pytest.param(
            {
                "LIPAS_SMTP_HOST": "mx.example",
                "LIPAS_SMTP_SECURITY": "none",
                "LIPAS_SMTP_USER": "u",
            },
            id="password in clear over the network",
        ),
    ],
)
def test_mail_config_rejects(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        load_mail_config(env)


@pytest.mark.parametrize(
    ("days_left", "status", "expected"),
    [
        pytest.param(3, "not_yet_due", "reminder", id="reminder 3 days before"),
        pytest.param(0, "not_yet_due", "reminder", id="reminder on the deadline day"),
        pytest.param(4, "not_yet_due", None, id="too early for a reminder"),
        pytest.param(-1, "missing", "overdue", id="overdue the day after"),
        pytest.param(-1, "on_time", None, id="received: no notice"),
    ],
)
def test_notices(days_left: int, status: str, expected: str | None) -> None:
    deadline = AS_OF + dt.timedelta(days=days_left)
    inputs = _inputs(status=(_status("BP1101", status, deadline),))
    notices = build_notices(inputs, AlertHistory(), load_directory(), reminder_days=3)
    assert [n.kind for n in notices] == ([expected] if expected else [])
    if expected:
        sent = AlertHistory(
            frozenset((e.audience, e.finding_id, e.kind) for e in notices[0].log_entries)
        )
        assert build_notices(inputs, sent, load_directory(), reminder_days=3) == ()


@pytest.fixture
def warehouse_inputs(lipas_home: Settings) -> AlertInputs:
    import duckdb

    from quality.alerts.loader import load_inputs

    build_warehouse(lipas_home.warehouse_path, lipas_home.quarantine_dir)
    con = duckdb.connect(str(lipas_home.warehouse_path), read_only=True)
    try:
        return load_inputs(con, PERIOD, AS_OF, lipas_home.quarantine_dir)
    finally:
        con.close()


def test_digest_from_synthetic_warehouse(warehouse_inputs: AlertInputs) -> None:
    digest = build_digest(warehouse_inputs, AlertHistory(), load_directory())
    assert [m.kode_bapas for m in digest.missing] == ["BP3101", "BP1102"]
    assert digest.missing[0].possibly_inactive and not digest.missing[1].possibly_inactive
    assert (digest.national.expected, digest.national.reported) == (8, 5)
    assert [r.submission_id for r in digest.rejected] == ["sub-rej-1201"]
    # The completeness finding is shown as a missing report, not again as a finding.
    assert "f-missing" not in {f.finding_id for f in digest.new_findings}
    assert {f.finding_id for f in digest.new_findings} == {"f-peserta", "f-biaya", "f-nik"}
    assert digest.movers[0].kode_bapas == "BP1202" and digest.movers[0].delta == -31
    assert digest.heatmap.cells[digest.heatmap.bapas.index("BP1201")][-1] == "rejected"


def test_fixlist_points_at_cells_and_hides_pii(warehouse_inputs: AlertInputs) -> None:
    directory = load_directory()
    fix = build_fixlist(warehouse_inputs, AlertHistory(), directory, "BP1202", "id")
    first = fix.entries[0]
    assert (first.rule_id, first.cells[0].sheet, first.cells[0].row) == (
        "CONS_PESERTA_REGISTERED",
        "PESERTA",
        14,
    )
    assert first.more_rows == 2 and first.is_new
    assert [(f.period, f.versi, f.file_name) for f in fix.forms] == [
        ("2025-03", 1, "laporan_bulanan_BP1202_2025-03_versi1.xlsx"),
    ]
    leaky = build_fixlist(warehouse_inputs, AlertHistory(), directory, "BP3201", "id")
    text = repr(dataclasses.asdict(leaky))
    assert PLANTED_NIK not in text and PLANTED_NAME not in text and not contains_pii(text)
    rejected = build_fixlist(warehouse_inputs, AlertHistory(), directory, "BP1201", "id")
    assert rejected.entries[0].cells[0].column == "nik"
    assert "templat" in rejected.entries[0].hint


def test_charts_are_deterministic_png(warehouse_inputs: AlertInputs) -> None:
    digest = build_digest(warehouse_inputs, AlertHistory(), load_directory(), lang="en")
    # __wrapped__ bypasses the cache: two real renderings must give identical bytes.
    first = render_heatmap.__wrapped__(digest.heatmap, "en")
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == render_heatmap.__wrapped__(digest.heatmap, "en")
    trend = render_trend.__wrapped__(digest.trend, "en")
    assert trend == render_trend.__wrapped__(digest.trend, "en") != first


@pytest.mark.parametrize(
    ("name", "path", "ledger_kode", "expected"),
    [
        pytest.param(
            "laporan_bulanan_BP1501_2025-03.xlsx",
            "BP1501/2025-03/laporan_bulanan_BP1501_2025-03.xlsx",
            None,
            ("BP1501", "2025-03", "monthly", True),
            id="generated layout",
        ),
        pytest.param(
            "rencana_tahunan_BP1101_2025.xlsx",
            "inbox/x.xlsx",
            None,
            ("BP1101", "2025", "annual_plan", True),
            id="annual plan from the name",
        ),
        pytest.param(
            "laporan.xlsx",
            "BP1202/2025-02/laporan.xlsx",
            None,
            ("BP1202", "2025-02", "monthly", True),
            id="folder layout only",
        ),
        pytest.param(
            "laporan_bulanan_BP9999_2025-03.xlsx",
            "",
            None,
            (None, None, None, False),
            id="unknown code is not trusted",
        ),
        pytest.param(
            "laporan_bulanan_BP1501_2025-03.xlsx",
            "",
            "BP1101",
            ("BP1101", None, None, False),
            id="ledger identity wins",
        ),
        pytest.param(
            "_manifest.json", "_manifest.json", None, (None, None, None, False), id="no identity"
        ),
    ],
)
def test_infer_owner(
    name: str, path: str, ledger_kode: str | None, expected: tuple[object, ...]
) -> None:
    from quality.alerts.identity import infer_owner
    from quality.alerts.model import Rejection

    rejection = Rejection("s1", name, None, ledger_kode, None, None, "missing_column", "")
    got = infer_owner(rejection, path, load_directory().bapas)
    assert (got.kode_bapas, got.period, got.report_kind, got.owner_inferred) == expected
