"""The data in force is chosen on purpose: identity (IDENTITAS vs path), `versi`, reprocessing.

Each scenario is a failure seen in real submissions (issue 11 item 4, issue 19 item 1, issue 11
item 9): a file that silently replaced another office's or month's report, an old draft that
became current, and a rejected file that could never be reprocessed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.app import build_app
from core.settings import Settings
from ingestion.identity import check_path, path_hints
from ingestion.quarantine import find_quarantine
from ingestion.reprocess import OperatorError, release_submission, reprocess_submission
from quality.alerts.directory import load_directory
from quality.alerts.fixlist import build_fixlist
from quality.alerts.loader import load_inputs
from quality.alerts.model import AlertHistory, StatusRow
from quality.completeness import build_register
from quality.config import QualityConfig
from quality.scope import build_scope, register_scope
from quality.tables import create_current_views
from tests.fixtures.ingestion.builders import (
    Report,
    annual_plan,
    monthly_report,
    set_mtime,
    write_xlsx,
)
from tests.ingestion.ingest_helpers import query, run_ingest

T0 = dt.datetime(2026, 6, 5, 2, 0)
MAY_PATH = "BP1301/2026-05/laporan_bulanan_BP1301_2026-05.xlsx"


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", "1")


def _drop(settings: Settings, rel: str, report: Report, received: dt.datetime) -> Path:
    path = write_xlsx(report, settings.landing_dir / rel)
    set_mtime(path, received)
    return path


def _report(kode: str, period: str, versi: object = 1, n_clients: int = 4) -> Report:
    report = monthly_report(kode, period, n_clients)
    report.sheets["IDENTITAS"][0]["versi"] = versi
    return report


def _ledger(settings: Settings) -> list[tuple[object, ...]]:
    """(file name, status, error_code, kode_bapas, periode, versi, is_current) by arrival."""
    return query(
        settings,
        "SELECT original_name, status, error_code, kode_bapas, periode, versi, is_current "
        "FROM ledger.submissions ORDER BY received_at, original_path",
    )


def _current(settings: Settings, kode: str, period: str) -> list[tuple[object, ...]]:
    return query(
        settings,
        "SELECT original_name, versi FROM ledger.submissions "
        "WHERE is_current AND kode_bapas = ? AND periode = ?",
        [kode, period],
    )


# --- identity: path hints -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "bapas", "periods", "years"),
    [
        pytest.param(MAY_PATH, ("BP1301",), ("2026-05",), (), id="generated layout"),
        pytest.param("a.xlsx", (), (), (), id="no hints"),
        pytest.param("bp1302/2026_06/x.xlsx", ("BP1302",), ("2026-06",), (), id="lower case, _"),
        pytest.param("692307/laporan.xlsx", ("BP1401",), (), (), id="satker code"),
        pytest.param("BP9999/laporan.xlsx", (), (), (), id="unknown code is no hint"),
        pytest.param("masuk/2026-07-05/laporan Juni 2026.xlsx", (), ("2026-06",), (),
                     id="month name; a date folder is no period"),
        pytest.param("BP1301/2026/rencana_tahunan_BP1301_2026.xlsx", ("BP1301",), (), ("2026",),
                     id="plan year"),
        pytest.param("BP1301/05-06-2026.xlsx", ("BP1301",), (), (), id="dd-mm-yyyy is no year"),
    ],
)  # fmt: skip
def test_path_hints(
    rel: str, bapas: tuple[str, ...], periods: tuple[str, ...], years: tuple[str, ...]
) -> None:
    hints = path_hints(rel)
    assert (hints.bapas, hints.periods, hints.years) == (bapas, periods, years)


def test_path_without_hints_never_holds() -> None:
    assert check_path("kiriman/laporan.xlsx", "period", "BP1301", "2026-05").hold is None


# --- identity: end to end -------------------------------------------------------------------


def test_june_file_saying_may_is_held_and_may_stays_current(lipas_home: Settings) -> None:
    # Seen: a June file whose IDENTITAS said May superseded the on-time May report, and the
    # office was told "June not received".
    _drop(lipas_home, MAY_PATH, _report("BP1301", "2026-05"), T0)
    run_ingest(lipas_home)
    june = "BP1301/2026-06/laporan_bulanan_BP1301_2026-06.xlsx"
    _drop(lipas_home, june, _report("BP1301", "2026-05", n_clients=2), T0 + dt.timedelta(30))
    summary = run_ingest(lipas_home)
    assert (summary.held, summary.accepted) == (1, 0)
    assert _ledger(lipas_home)[1] == (
        "laporan_bulanan_BP1301_2026-06.xlsx", "held", "identity_mismatch", "BP1301", "2026-05",
        1, False,
    )  # fmt: skip
    assert _current(lipas_home, "BP1301", "2026-05") == [("laporan_bulanan_BP1301_2026-05.xlsx", 1)]
    # Rows are loaded (nothing is lost) but are not current.
    assert query(lipas_home, "SELECT count(*) FROM raw.monthly_klien") == [(6,)]
    sid = summary.files[0].submission_id
    folder = find_quarantine(lipas_home.quarantine_dir, sid)
    assert folder is not None
    report = json.loads((folder / "report.json").read_text())
    assert "IDENTITAS menyebut BP1301 periode 2026-05" in report["message_id"]
    assert "menyebut BP1301 periode 2026-06" in report["message_id"]
    assert report["held"] is True
    assert query(lipas_home, "SELECT path_periode FROM ledger.submissions WHERE submission_id = ?",
                 [sid]) == [("2026-06",)]  # fmt: skip


def test_other_offices_folder_is_held_and_replaces_nothing(lipas_home: Settings) -> None:
    # Seen: a file in BP1302's folder carrying BP1301 in IDENTITAS replaced BP1301's report.
    _drop(lipas_home, MAY_PATH, _report("BP1301", "2026-05"), T0)
    _drop(
        lipas_home, "BP1302/2026-05/laporan.xlsx", _report("BP1301", "2026-05", n_clients=1),
        T0 + dt.timedelta(hours=3),
    )  # fmt: skip
    summary = run_ingest(lipas_home)
    assert [f.status for f in summary.files] == ["accepted", "held"]
    assert _current(lipas_home, "BP1301", "2026-05") == [("laporan_bulanan_BP1301_2026-05.xlsx", 1)]
    message = query(lipas_home, "SELECT error_summary FROM ledger.submissions WHERE status='held'")
    assert "BP1301" in str(message[0][0]) and "BP1302" in str(message[0][0])


def test_plan_tagged_with_last_year_is_held(lipas_home: Settings) -> None:
    # Seen: a 2026 plan file whose IDENTITAS said 2025 was filed as last year's plan.
    rel = "BP1301/2026/rencana_tahunan_BP1301_2026.xlsx"
    _drop(lipas_home, rel, annual_plan("BP1301", 2025), T0)
    summary = run_ingest(lipas_home)
    assert (summary.files[0].status, summary.files[0].error_code) == ("held", "identity_mismatch")
    assert _current(lipas_home, "BP1301", "2025") == []


def test_identitas_rows_that_disagree_are_rejected(lipas_home: Settings) -> None:
    # Seen: IDENTITAS with two rows (two Bapas) loaded silently under the first one.
    report = _report("BP1301", "2026-05")
    report.sheets["IDENTITAS"].append({**report.sheets["IDENTITAS"][0], "kode_bapas": "BP1302"})
    _drop(lipas_home, "a.xlsx", report, T0)
    summary = run_ingest(lipas_home)
    result = summary.files[0]
    assert (result.status, result.error_code, result.kode_bapas) == (
        "rejected", "ambiguous_identity", None,
    )  # fmt: skip
    summary_text = query(lipas_home, "SELECT error_summary FROM ledger.submissions")[0][0]
    assert "BP1301" in str(summary_text) and "BP1302" in str(summary_text)


@pytest.mark.parametrize(
    "second",
    [
        pytest.param({}, id="identical copy"),
        pytest.param({"kode_bapas": None, "periode": None, "versi": None},
                     id="later row with a blank identity"),
    ],
)  # fmt: skip
def test_identitas_rows_that_agree_load_with_a_note(
    lipas_home: Settings, second: dict[str, object]
) -> None:
    report = _report("BP1301", "2026-05")
    report.sheets["IDENTITAS"].append({**report.sheets["IDENTITAS"][0], **second})
    _drop(lipas_home, "a.xlsx", report, T0)
    assert run_ingest(lipas_home).files[0].status == "accepted"
    note = query(lipas_home, "SELECT error_summary FROM ledger.submissions")[0][0]
    assert "IDENTITAS: 2 baris" in str(note)


def test_older_ledger_gains_the_new_columns(lipas_home: Settings) -> None:
    # A warehouse created before `versi` / path columns existed upgrades on the next run.
    lipas_home.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(lipas_home.warehouse_path)) as con:
        con.execute("CREATE SCHEMA ledger")
        con.execute(
            "CREATE TABLE ledger.submissions (submission_id VARCHAR PRIMARY KEY, sha256 VARCHAR,"
            " original_path VARCHAR, original_name VARCHAR, archived_path VARCHAR,"
            " file_format VARCHAR, report_kind VARCHAR, kode_bapas VARCHAR, periode VARCHAR,"
            " received_at TIMESTAMP, ingested_at TIMESTAMP, version INTEGER, status VARCHAR,"
            " is_current BOOLEAN, error_code VARCHAR, error_summary VARCHAR, row_counts VARCHAR)"
        )
    _drop(lipas_home, "a.xlsx", _report("BP3201", "2026-05", versi=3), T0)
    assert run_ingest(lipas_home).files[0].status == "accepted"
    assert query(lipas_home, "SELECT versi FROM ledger.submissions") == [(3,)]


def test_held_file_reaches_both_offices_and_counts_for_neither(lipas_home: Settings) -> None:
    # A file in BP1302's June folder says BP1301 June: both offices' fix-lists show it (even
    # once BP1301 has an accepted June report), and the register counts it as received for
    # neither office (before: BP1301 June was "received" through the held file).
    _drop(lipas_home, "BP1302/2026-06/laporan.xlsx", _report("BP1301", "2026-06"), T0)
    assert run_ingest(lipas_home).files[0].status == "held"
    as_of = dt.date(2026, 7, 20)
    with duckdb.connect(str(lipas_home.warehouse_path)) as con:
        inputs = load_inputs(con, "2026-06", as_of, lipas_home.quarantine_dir)
        scope = build_scope(as_of, ["2026-06"], 12, frozenset({"BP1301", "BP1302"}))
        create_current_views(con)
        register_scope(con, scope)
        register = build_register(con, scope, QualityConfig())
    assert {(r.kode_bapas, r.period) for r in inputs.rejections} == {
        ("BP1301", "2026-06"), ("BP1302", "2026-06"),
    }  # fmt: skip
    reported = StatusRow("BP1301", "KW13", "monthly", "2026-06", dt.date(2026, 7, 10), True,
                         None, True, True, "on_time", 0, False, True, True, True)  # fmt: skip
    inputs = dataclasses.replace(inputs, status=(reported,))
    directory = load_directory()
    for kode in ("BP1301", "BP1302"):
        fix = build_fixlist(inputs, AlertHistory(), directory, kode, "id")
        assert [e.rule_id for e in fix.entries] == ["HELD_IDENTITY"], kode
    monthly = {r.kode_bapas: r for r in register if r.report_kind == "monthly"}
    assert (monthly["BP1301"].received, monthly["BP1301"].status) == (False, "missing")
    assert (monthly["BP1302"].received, monthly["BP1302"].status) == (False, "missing")


# --- versi ------------------------------------------------------------------------------------


def _two_files(
    settings: Settings, first: object, second: object, gap: dt.timedelta
) -> list[tuple[object, ...]]:
    """`first` arrives at T0, `second` at T0 + gap, ingested in two runs in that order."""
    _drop(settings, "a/v_first.xlsx", _report("BP3201", "2026-05", first, n_clients=4), T0)
    run_ingest(settings)
    _drop(settings, "b/v_second.xlsx", _report("BP3201", "2026-05", second, n_clients=3), T0 + gap)
    run_ingest(settings)
    return [(r[0], r[1], r[2], r[6]) for r in sorted(_ledger(settings), key=lambda r: str(r[0]))]


MINUTES_20 = dt.timedelta(minutes=20)


@pytest.mark.parametrize(
    ("first", "second", "gap", "expected"),
    [
        pytest.param(1, 2, MINUTES_20, [("v_first.xlsx", "superseded", None, False),
                                        ("v_second.xlsx", "accepted", None, True)],
                     id="v1 then v2"),
        # Seen: versi 2, then the versi 1 draft twenty minutes later became current.
        pytest.param(2, 1, MINUTES_20, [("v_first.xlsx", "accepted", None, True),
                                        ("v_second.xlsx", "held", "older_version", False)],
                     id="v2 then the v1 draft later: held"),
        pytest.param(2, 1, -MINUTES_20, [("v_first.xlsx", "accepted", None, True),
                                         ("v_second.xlsx", "superseded", None, False)],
                     id="v1 that arrived earlier, ingested late: superseded"),
        pytest.param(1, 2, -MINUTES_20, [("v_first.xlsx", "superseded", None, False),
                                         ("v_second.xlsx", "accepted", None, True)],
                     id="higher versi wins even when its file time is older"),
        pytest.param(2, 2, MINUTES_20, [("v_first.xlsx", "superseded", None, False),
                                        ("v_second.xlsx", "accepted", None, True)],
                     id="v2 then v2 prime: later replaces"),
        pytest.param(None, None, MINUTES_20, [("v_first.xlsx", "superseded", None, False),
                                              ("v_second.xlsx", "accepted", None, True)],
                     id="blank versi: arrival order"),
        pytest.param(3, None, MINUTES_20, [("v_first.xlsx", "superseded", None, False),
                                           ("v_second.xlsx", "accepted", None, True)],
                     id="one blank versi: arrival order"),
        pytest.param(None, None, -MINUTES_20, [("v_first.xlsx", "accepted", None, True),
                                               ("v_second.xlsx", "superseded", None, False)],
                     id="blank versi, older file: superseded"),
    ],
)  # fmt: skip
def test_versi_and_arrival_order(
    lipas_home: Settings, first: object, second: object, gap: dt.timedelta,
    expected: list[tuple[object, ...]],
) -> None:  # fmt: skip
    assert _two_files(lipas_home, first, second, gap) == expected


def test_older_versi_message_and_stored_versi(lipas_home: Settings) -> None:
    _two_files(lipas_home, 2, 1, MINUTES_20)
    rows = query(
        lipas_home,
        "SELECT submission_id, versi, version FROM ledger.submissions ORDER BY received_at",
    )
    assert [(r[1], r[2]) for r in rows] == [(2, 1), (1, None)]
    folder = find_quarantine(lipas_home.quarantine_dir, str(rows[1][0]))
    assert folder is not None
    report = json.loads((folder / "report.json").read_text())
    assert "versi 1" in report["message_id"] and "versi 2" in report["message_id"]
    assert "versi 3" in report["hint_id"]
    # 7 clients and 1 activity are not lost: the current data are still versi 2's.
    current = query(
        lipas_home,
        "SELECT count(*) FROM raw.monthly_klien JOIN ledger.submissions USING (submission_id) "
        "WHERE is_current",
    )
    assert current == [(4,)]


def test_equal_versi_replacement_carries_a_note(lipas_home: Settings) -> None:
    _two_files(lipas_home, 2, 2, MINUTES_20)
    note = query(lipas_home, "SELECT error_summary FROM ledger.submissions WHERE is_current")
    assert "Naikkan versi" in str(note[0][0])


# --- reprocess and release --------------------------------------------------------------------


def test_rejected_file_can_be_reprocessed_from_its_archive(lipas_home: Settings) -> None:
    # Seen: a file rejected as too large, resent after LIPAS_MAX_FILE_MB was raised, stayed a
    # `duplicate` forever.
    sent = _drop(lipas_home, "a.xlsx", _report("BP3201", "2026-05"), T0).read_bytes()
    tiny = dataclasses.replace(lipas_home, max_file_bytes=100)
    first = run_ingest(tiny).files[0]
    assert (first.status, first.error_code) == ("rejected", "too_large")
    again = lipas_home.landing_dir / "again" / "a.xlsx"
    again.parent.mkdir()
    again.write_bytes(sent)
    set_mtime(again, T0 + dt.timedelta(1))
    assert run_ingest(lipas_home).files[0].status == "duplicate"
    result = reprocess_submission(lipas_home, first.submission_id)
    assert (result.status, result.kode_bapas, result.period) == ("accepted", "BP3201", "2026-05")
    rows = query(
        lipas_home,
        "SELECT submission_id, status, received_at FROM ledger.submissions "
        "WHERE submission_id IN (?, ?)",
        [first.submission_id, result.submission_id],
    )
    by_id = {r[0]: r for r in rows}
    assert by_id[first.submission_id][1] == "reprocessed"
    # Arrival time is the original's, never the reprocessing time.
    assert by_id[result.submission_id][2] == by_id[first.submission_id][2] == T0
    with pytest.raises(OperatorError, match="reprocessed"):
        reprocess_submission(lipas_home, first.submission_id)


def test_release_puts_a_held_file_in_force(lipas_home: Settings) -> None:
    _two_files(lipas_home, 2, 1, MINUTES_20)
    held, current = (
        query(lipas_home, "SELECT submission_id FROM ledger.submissions WHERE status = ?", [s])[0][
            0
        ]
        for s in ("held", "accepted")
    )
    runner = CliRunner()
    result = runner.invoke(build_app(), ["release", "--submission", str(held), "--note", "cek"])
    assert result.exit_code == 0, result.output
    assert _current(lipas_home, "BP3201", "2026-05") == [("v_second.xlsx", 1)]
    status = query(lipas_home, "SELECT status FROM ledger.submissions WHERE submission_id = ?",
                   [current])  # fmt: skip
    assert status == [("superseded",)]
    again = runner.invoke(build_app(), ["release", "--submission", str(held)])
    assert again.exit_code == 2
    with pytest.raises(OperatorError, match="not held"):
        release_submission(lipas_home, str(current))


def test_reprocess_cli_refuses_unknown_and_accepted(lipas_home: Settings) -> None:
    _drop(lipas_home, "a.xlsx", _report("BP3201", "2026-05"), T0)
    sid = run_ingest(lipas_home).files[0].submission_id
    runner = CliRunner()
    assert runner.invoke(build_app(), ["reprocess", "--submission", "nope"]).exit_code == 2
    assert runner.invoke(build_app(), ["reprocess", "--submission", sid]).exit_code == 2
