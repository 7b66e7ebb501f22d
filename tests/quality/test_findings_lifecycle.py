"""Findings keep a stable id, resolve when a resubmission fixes them, and keep their history."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
import qbuild

from quality.findings import UnknownFindingError, acknowledge, mark_follow_up
from quality.runner import run_checks

AS_OF = dt.date(2025, 4, 20)
BAPAS = frozenset({"BP1101", "BP1102"})


def _bad(rows: qbuild.Rows) -> None:
    rows["KLIEN"][0]["wajib_lapor_hadir"] = 9


def _run(settings, day: int = 1, months=("2025-03",)):  # type: ignore[no-untyped-def]
    return run_checks(settings, as_of=AS_OF, periods=list(months), bapas=BAPAS, with_gx=False,
                      now=dt.datetime(2025, 4, day, 1))  # fmt: skip


def _submit(settings, mutate=None, bapas="BP1101", period="2025-03"):  # type: ignore[no-untyped-def]
    con = qbuild.connect(settings.warehouse_path)
    try:
        qbuild.add_submission(con, bapas, period, qbuild.monthly_rows(bapas, period),
                              received_at=dt.datetime(2025, 4, 2), mutate=mutate)  # fmt: skip
    finally:
        con.close()


def _findings(settings, rule_id: str = "CONS_WAJIB_LAPOR") -> list[tuple]:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(
            "select finding_id, status, first_seen, last_seen, resolved_at, submission_id,"
            " sample_rows from quality.findings where rule_id = ?",
            [rule_id],
        ).fetchall()
    finally:
        con.close()


def _events(settings, finding_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rows = con.execute(
            "select event from quality.finding_events where finding_id = ? order by event_at",
            [finding_id],
        ).fetchall()
        return [r[0] for r in rows]
    finally:
        con.close()


def test_resubmission_keeps_id_then_resolves_then_reopens(lipas_home) -> None:  # type: ignore[no-untyped-def]
    _submit(lipas_home, _bad)
    _run(lipas_home, 1)
    [(fid, status, first_seen, _last, _res, sub1, samples)] = _findings(lipas_home)
    assert status == "open"
    assert json.loads(samples) == [
        {"sheet": "KLIEN", "row": 2, "column": "wajib_lapor_hadir", "value": "9"}
    ]
    _submit(lipas_home, _bad)  # corrected file that is still wrong
    _run(lipas_home, 2)
    [(fid2, status, first2, last2, _res, sub2, _s)] = _findings(lipas_home)
    assert (fid2, status, first2) == (fid, "open", first_seen)
    assert last2 > first_seen and sub2 != sub1
    _submit(lipas_home)  # really corrected
    _run(lipas_home, 3)
    [(_fid, status, _f, _l, resolved_at, _sub, _s)] = _findings(lipas_home)
    assert status == "resolved" and resolved_at == dt.datetime(2025, 4, 3, 1)
    _submit(lipas_home, _bad)  # the problem comes back
    _run(lipas_home, 4)
    [(_fid, status, _f, _l, resolved_at, _sub, _s)] = _findings(lipas_home)
    assert (status, resolved_at) == ("open", None)
    assert _events(lipas_home, fid) == ["opened", "resolved", "reopened"]


def test_triage_acknowledge_and_follow_up(lipas_home) -> None:  # type: ignore[no-untyped-def]
    _submit(lipas_home, _bad)
    _run(lipas_home, 1)
    [(fid, *_rest)] = _findings(lipas_home)
    con = duckdb.connect(str(lipas_home.warehouse_path))
    try:
        with pytest.raises(ValueError, match="comment"):
            acknowledge(con, fid, "  ")
        with pytest.raises(UnknownFindingError):
            mark_follow_up(con, "nope")
        acknowledge(con, fid, "Bapas sudah dihubungi / Bapas contacted")
        mark_follow_up(con, fid, True)
        row = con.execute(
            "select status, status_comment, follow_up from quality.findings where finding_id = ?",
            [fid],
        ).fetchone()
    finally:
        con.close()
    assert row == ("acknowledged", "Bapas sudah dihubungi / Bapas contacted", True)
    _run(lipas_home, 2)
    assert _findings(lipas_home)[0][1] == "acknowledged"  # a re-run keeps the triage
    assert _events(lipas_home, fid) == ["opened", "acknowledged", "follow_up"]


def test_checking_one_month_leaves_other_months_alone(lipas_home) -> None:  # type: ignore[no-untyped-def]
    _submit(lipas_home, _bad, period="2025-02")
    _run(lipas_home, 1, months=("2025-02", "2025-03"))
    _run(lipas_home, 2, months=("2025-03",))
    assert [r[1] for r in _findings(lipas_home)] == ["open"]


def test_scores_and_register_are_written(lipas_home) -> None:  # type: ignore[no-untyped-def]
    _submit(lipas_home, _bad)
    summary = _run(lipas_home, 1)
    con = duckdb.connect(str(lipas_home.warehouse_path), read_only=True)
    try:
        scores = dict(
            con.execute(
                "select kode_bapas, quality_score from quality.submission_scores"
                " where report_kind = 'monthly' and periode = '2025-03'"
            ).fetchall()
        )
        status = dict(
            con.execute(
                "select kode_bapas, status from quality.submission_status"
                " where report_kind = 'monthly'"
            ).fetchall()
        )
    finally:
        con.close()
    # BP1101: accepted on time with one open error -> 40 + 30 + 0.3 * 75; BP1102: missing.
    assert scores == {"BP1101": 92.5, "BP1102": 30.0}
    assert status == {"BP1101": "on_time", "BP1102": "missing"}
    assert summary.by_family["consistency"] == 1
    assert summary.by_severity["error"] >= 2  # the rule, and BP1102's missing report


def test_cross_bapas_samples_never_show_the_client_key(lipas_home) -> None:  # type: ignore[no-untyped-def]
    def same_person(rows: qbuild.Rows) -> None:
        rows["KLIEN"][0]["client_key"] = "key-BP1101-1"

    _submit(lipas_home)
    _submit(lipas_home, same_person, bapas="BP1102")
    _run(lipas_home, 1)
    found = _findings(lipas_home, "XB_ACTIVE_TWO_BAPAS")
    assert len(found) == 2
    assert all("key-" not in samples for *_r, samples in found)
