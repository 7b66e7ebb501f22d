"""Duplicates a key check cannot see, and clients revived after their supervision ended."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import qbuild

from quality.duplicates import client_two_registers_findings, copy_of_last_month_findings
from quality.over_time import continuity_findings
from quality.scope import CheckScope, register_scope
from quality.structural import duplicate_findings
from quality.tables import create_current_views

Rows = qbuild.Rows


@pytest.fixture
def con(lipas_home):  # type: ignore[no-untyped-def]
    connection = qbuild.connect(lipas_home.warehouse_path)
    yield connection
    connection.close()


def _scope(con, months=("2025-03",)) -> CheckScope:  # type: ignore[no-untyped-def]
    scope = CheckScope(dt.date(2025, 4, 30), tuple(months))
    create_current_views(con)
    register_scope(con, scope)
    return scope


def _month(period: str, clients: int = 6) -> Rows:
    rows = qbuild.monthly_rows("BP1101", period, clients=clients)
    for i, client in enumerate(rows["KLIEN"]):
        # A real month moves on: check-ins differ from one month to the next.
        client["wajib_lapor_hadir"] = (i + int(period[-2:])) % 4
    return rows


def test_same_nik_under_two_register_numbers_is_flagged(con) -> None:  # type: ignore[no-untyped-def]
    # Regression (issue 12): the same person (same NIK, so same client_key) twice in one office
    # under two register numbers raised nothing: the key check looks at no_register only.
    rows = _month("2025-03")
    again = dict(rows["KLIEN"][1], no_register="BP1101/R999")
    rows["KLIEN"].append(again)
    qbuild.add_submission(con, "BP1101", "2025-03", rows)
    scope = _scope(con)
    (draft,) = client_two_registers_findings(con, scope)
    assert (draft.rule.rule_id, draft.rule.family, draft.rule.severity) == (
        "DUP_CLIENT_TWO_REGISTERS", "duplicate", "error",
    )  # fmt: skip
    assert draft.rows() == [3, 8]
    message_id = draft.render()[0]
    assert "didaftarkan dua kali" in message_id and "BP1101/R999" in message_id
    assert "DUP_CLIENT_TWO_REGISTERS" in {d.rule.rule_id for d in duplicate_findings(con, scope)}


def test_a_new_supervision_after_the_end_is_not_a_duplicate(con) -> None:  # type: ignore[no-untyped-def]
    rows = _month("2025-03")
    rows["KLIEN"][1].update(status_akhir_bulan="SELESAI", tanggal_status=dt.date(2025, 3, 5))
    rows["KLIEN"].append(
        dict(rows["KLIEN"][1], no_register="BP1101/R999", status_akhir_bulan="AKTIF",
             tanggal_status=None, tanggal_mulai=dt.date(2025, 3, 20))
    )  # fmt: skip
    qbuild.add_submission(con, "BP1101", "2025-03", rows)
    assert client_two_registers_findings(con, _scope(con)) == []


def _copy_as(rows: Rows, period: str) -> Rows:
    copied = copy.deepcopy(rows)
    copied["IDENTITAS"][0]["periode"] = period
    return copied


def test_last_months_workbook_sent_again_is_flagged(con) -> None:  # type: ignore[no-untyped-def]
    # Regression (issue 12): last month's workbook sent again with only the period changed was
    # caught only by accident (activity dates), and not at all without activities that month.
    feb = _month("2025-02")
    qbuild.add_submission(con, "BP1101", "2025-02", feb)
    qbuild.add_submission(con, "BP1101", "2025-03", _copy_as(feb, "2025-03"))
    (draft,) = copy_of_last_month_findings(con, _scope(con))
    assert (draft.rule.rule_id, draft.rule.severity, draft.period) == (
        "DUP_COPY_LAST_MONTH", "error", "2025-03",
    )  # fmt: skip
    message_id = draft.render()[0]
    assert "salinan laporan bulan lalu" in message_id and "2025-02" in message_id


def test_a_copy_sorted_differently_is_a_copy_and_one_changed_cell_is_not(con) -> None:  # type: ignore[no-untyped-def]
    # Issue 16: the fingerprint is an order-free sum of row hashes, not a sorted string.
    feb = _month("2025-02")
    feb["KEGIATAN"], feb["PESERTA"] = [], []
    qbuild.add_submission(con, "BP1101", "2025-02", feb)
    resorted = _copy_as(feb, "2025-03")
    resorted["KLIEN"].reverse()
    qbuild.add_submission(con, "BP1101", "2025-03", resorted)
    changed = _copy_as(feb, "2025-03")
    changed["KLIEN"][-1]["wajib_lapor_hadir"] = 7
    qbuild.add_submission(con, "BP1102", "2025-02", feb)
    qbuild.add_submission(con, "BP1102", "2025-03", changed)
    drafts = copy_of_last_month_findings(con, _scope(con))
    assert [(d.kode_bapas, d.params["sheets"]) for d in drafts] == [("BP1101", "KLIEN")]


def test_copy_without_activities_is_flagged_by_its_clients(con) -> None:  # type: ignore[no-untyped-def]
    feb = _month("2025-02")
    feb["KEGIATAN"], feb["PESERTA"] = [], []
    qbuild.add_submission(con, "BP1101", "2025-02", feb)
    qbuild.add_submission(con, "BP1101", "2025-03", _copy_as(feb, "2025-03"))
    (draft,) = copy_of_last_month_findings(con, _scope(con))
    assert draft.params["sheets"] == "KLIEN"


def test_copied_activities_with_shifted_dates_are_flagged(con) -> None:  # type: ignore[no-untyped-def]
    feb = _month("2025-02")
    feb["PESERTA"] = [dict(feb["PESERTA"][1], no_register=c["no_register"]) for c in feb["KLIEN"]]
    feb["KEGIATAN"][0]["jumlah_peserta"] = len(feb["PESERTA"])
    qbuild.add_submission(con, "BP1101", "2025-02", feb)
    mar = _copy_as(feb, "2025-03")
    mar["KEGIATAN"][0]["tanggal"] = dt.date(2025, 3, 15)
    mar["KLIEN"][0]["wajib_lapor_hadir"] = 1  # the clients were updated, the activities not
    qbuild.add_submission(con, "BP1101", "2025-03", mar)
    (draft,) = copy_of_last_month_findings(con, _scope(con))
    assert draft.params["sheets"] == "KEGIATAN, PESERTA"


def test_a_month_that_moved_on_is_not_a_copy(con) -> None:  # type: ignore[no-untyped-def]
    # Same recurring activity with the same two participants: too few rows to call it a copy.
    qbuild.add_submission(con, "BP1101", "2025-02", _month("2025-02"))
    qbuild.add_submission(con, "BP1101", "2025-03", _month("2025-03"))
    assert copy_of_last_month_findings(con, _scope(con)) == []


def test_client_ended_last_month_reported_active_again(con) -> None:  # type: ignore[no-untyped-def]
    feb = _month("2025-02")
    feb["KLIEN"][2].update(status_akhir_bulan="SELESAI", tanggal_status=dt.date(2025, 2, 20))
    qbuild.add_submission(con, "BP1101", "2025-02", feb)
    qbuild.add_submission(con, "BP1101", "2025-03", _month("2025-03"))
    drafts = [d for d in continuity_findings(con, _scope(con))
              if d.rule.rule_id == "CONT_STATUS_REVIVED"]  # fmt: skip
    assert [(d.period, d.rows()) for d in drafts] == [("2025-03", [4])]
    assert "AKTIF lagi" in drafts[0].render()[0]


def test_same_pokmas_registered_by_two_offices(con) -> None:  # type: ignore[no-untyped-def]
    from quality.over_time import cross_bapas_findings

    mar = _month("2025-03")
    other = qbuild.monthly_rows("BP1102", "2025-03")
    copied = dict(mar["POKMAS"][0], no_pks=" pks/bp1101/01 ")  # BP1101's group, PKS retyped
    other["POKMAS"].append(dict(copied, kode_pokmas="BP1102-PK07"))
    qbuild.add_submission(con, "BP1101", "2025-03", mar)
    qbuild.add_submission(con, "BP1102", "2025-03", other)
    drafts = [d for d in cross_bapas_findings(con, _scope(con))
              if d.rule.rule_id == "XB_POKMAS_TWO_BAPAS"]  # fmt: skip
    assert sorted((d.kode_bapas, tuple(d.rows())) for d in drafts) == [
        ("BP1101", (2,)), ("BP1102", (3,)),
    ]  # fmt: skip
    assert "menyalin data POKMAS" in drafts[0].render()[0]


def test_one_foundation_with_two_offices_under_own_agreements_is_fine(con) -> None:  # type: ignore[no-untyped-def]
    from quality.over_time import cross_bapas_findings

    other = qbuild.monthly_rows("BP1102", "2025-03")
    # Same foundation (same name) with its own code and PKS number at each office.
    qbuild.add_submission(con, "BP1101", "2025-03", _month("2025-03"))
    qbuild.add_submission(con, "BP1102", "2025-03", other)
    assert not [d for d in cross_bapas_findings(con, _scope(con))
                if d.rule.rule_id == "XB_POKMAS_TWO_BAPAS"]  # fmt: skip
