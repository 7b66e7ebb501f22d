"""Each declarative consistency rule fires on its planted violation, and only there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import qbuild
import yaml

from quality.rules.evaluator import compile_rule, evaluate_rule, evaluate_rules
from quality.rules.spec import load_consistency_rules, parse_rules
from quality.scope import CheckScope, register_scope
from quality.tables import UnknownIdentifierError, create_current_views

Rows = qbuild.Rows


def _set(sheet: str, index: int, **values: object) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        rows[sheet][index].update(values)

    return mutate


def _drop(sheet: str, index: int) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        del rows[sheet][index]

    return mutate


def _griya(awal: int, masuk: int, keluar: int, akhir: int, kapasitas: int = 10) -> Rows:
    return {"GRIYA_ABHIPRAYA": [{"kapasitas": kapasitas, "penghuni_awal": awal, "masuk": masuk,
                                 "keluar": keluar, "penghuni_akhir": akhir}]}  # fmt: skip


def _add(mutation: Callable[[Rows], None] | Rows) -> Callable[[Rows], None]:
    def mutate(rows: Rows) -> None:
        if callable(mutation):
            mutation(rows)
        else:
            rows.update(mutation)

    return mutate


CASES = [
    pytest.param("CONS_PESERTA_IS_CLIENT", _set("PESERTA", 1, no_register="X/999"), 3,
                 id="participant not a registered client"),
    pytest.param("CONS_PESERTA_ACTIVITY_EXISTS", _set("PESERTA", 0, kode_kegiatan="KG99"), 2,
                 id="participant of an unknown activity"),
    pytest.param("CONS_KEGIATAN_POKMAS_REGISTERED", _set("KEGIATAN", 0, kode_pokmas="ZZ"), 2,
                 id="activity of an unregistered pokmas"),
    pytest.param("CONS_KEGIATAN_POKMAS_AKTIF", _set("POKMAS", 0, status="TIDAK_AKTIF"), 2,
                 id="activity of an inactive pokmas"),
    pytest.param("CONS_KEGIATAN_PKS_VALID",
                 _set("POKMAS", 0, tanggal_berakhir_pks=dt.date(2025, 3, 1)), 2,
                 id="pks expired before the activity"),
    pytest.param("CONS_KEGIATAN_PKS_VALID", _set("POKMAS", 0, tanggal_berakhir_pks=None), 2,
                 id="pks without an end date"),
    pytest.param("CONS_KEGIATAN_PKS_STARTED",
                 _set("POKMAS", 0, tanggal_pks=dt.date(2025, 3, 20)), 2,
                 id="pks signed after the activity"),
    pytest.param("CONS_JUMLAH_PESERTA", _set("KEGIATAN", 0, jumlah_peserta=5), 2,
                 id="jumlah_peserta differs from participant rows"),
    pytest.param("CONS_JUMLAH_PESERTA", _drop("PESERTA", 1), 2,
                 id="participant row missing"),
    pytest.param("CONS_SELESAI_REQUIRES_HADIR", _set("PESERTA", 0, hadir=False), 2,
                 id="completed without attending"),
    pytest.param("CONS_ANAK_UNDER_18", _set("KLIEN", 1, kategori="ANAK", umur_akhir_periode=19), 3,
                 id="child client aged 19"),
    pytest.param("CONS_DIVERSI_ONLY_ANAK", _set("KLIEN", 2, jenis_program="DIVERSI"), 4,
                 id="diversion for an adult"),
    pytest.param("CONS_NIK_SEX", _set("KLIEN", 0, nik_sex_match=False), 2,
                 id="sex disagrees with nik"),
    pytest.param("CONS_NIK_BIRTHDATE", _set("KLIEN", 0, nik_birthdate_match=False), 2,
                 id="birth date disagrees with nik"),
    pytest.param("CONS_TANGGAL_STATUS_REQUIRED", _set("KLIEN", 1, status_akhir_bulan="SELESAI"), 3,
                 id="end status without a date"),
    pytest.param("CONS_WAJIB_LAPOR", _set("KLIEN", 0, wajib_lapor_hadir=5), 2,
                 id="more check-ins attended than scheduled"),
    pytest.param("CONS_PKS_PAIR", _set("POKMAS", 0, tanggal_pks=None), 2,
                 id="pks number without a date"),
    pytest.param("CONS_GRIYA_FLOW", _add(_griya(5, 2, 1, 7)), 2, id="griya flows do not add up"),
    pytest.param("CONS_GRIYA_CAPACITY", _add(_griya(9, 3, 0, 12)), 2, id="griya over capacity"),
    # Regression (issue 12): a 16-year-old reported as DEWASA raised nothing.
    pytest.param("CONS_DEWASA_18_PLUS", _set("KLIEN", 0, umur_akhir_periode=16), 2,
                 id="16-year-old reported as DEWASA"),
    pytest.param("CONS_UMUR_MASUK_AKAL", _set("KLIEN", 1, umur_akhir_periode=2), 3,
                 id="start date typed as birth date"),
    # Regression (issue 12): Rp 360 for Rp 360.000 raised nothing (cost rules looked up only).
    pytest.param("CONS_BIAYA_RIBUAN", _set("KEGIATAN", 0, biaya_rp=360), 2,
                 id="cost written in thousands"),
    pytest.param("CONS_TANGGAL_STATUS_AKTIF",
                 _set("KLIEN", 2, tanggal_status=dt.date(2025, 3, 10)), 4,
                 id="status left AKTIF after the end was recorded"),
    pytest.param("CONS_SELESAI_RENCANA_SETELAH_MULAI",
                 _set("KLIEN", 0, tanggal_selesai_rencana=dt.date(2023, 1, 1)), 2,
                 id="planned end before start"),
    pytest.param("CONS_STATUS_SETELAH_MULAI",
                 _set("KLIEN", 1, status_akhir_bulan="SELESAI",
                      tanggal_status=dt.date(2023, 3, 1)), 3,
                 id="supervision ended before it started"),
    pytest.param("CONS_BARIS_TOTAL_KLIEN", _set("KLIEN", 2, no_register=" Jumlah "), 4,
                 id="jumlah row under the client list"),
    pytest.param("CONS_PKS_BERAKHIR_SETELAH_MULAI",
                 _set("POKMAS", 0, tanggal_pks=dt.date(2027, 12, 31),
                      tanggal_berakhir_pks=dt.date(2024, 1, 1)), 2,
                 id="pks dates swapped"),
]  # fmt: skip


@pytest.fixture
def con(lipas_home):  # type: ignore[no-untyped-def]
    connection = qbuild.connect(lipas_home.warehouse_path)
    yield connection
    connection.close()


def _prepare(con, months=("2025-03",)):  # type: ignore[no-untyped-def]
    create_current_views(con)
    register_scope(con, CheckScope(dt.date(2025, 4, 30), tuple(months)))


def _rule(rule_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in load_consistency_rules() if r.id == rule_id)


@pytest.mark.parametrize(("rule_id", "mutate", "row"), CASES)
def test_rule_flags_planted_row(con, rule_id: str, mutate, row: int) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                          mutate=mutate)  # fmt: skip
    _prepare(con)
    drafts = evaluate_rule(con, _rule(rule_id))
    assert len(drafts) == 1
    assert drafts[0].rows() == [row]
    assert drafts[0].rule.severity in ("error", "warning")
    message_id, hint_id, message_en, _hint_en = drafts[0].render()
    assert str(row) in message_id and "{" not in message_id + hint_id + message_en


def test_clean_report_triggers_no_rule(con) -> None:  # type: ignore[no-untyped-def]
    rows = qbuild.monthly_rows("BP1101", "2025-03")
    rows.update(_griya(5, 2, 1, 6))
    qbuild.add_submission(con, "BP1101", "2025-03", rows)
    _prepare(con)
    assert evaluate_rules(con, load_consistency_rules()) == []


def test_griya_carry_over_uses_last_months_current_version(con) -> None:  # type: ignore[no-untyped-def]
    feb = qbuild.monthly_rows("BP1101", "2025-02")
    feb.update(_griya(4, 1, 0, 5))
    qbuild.add_submission(con, "BP1101", "2025-02", feb)
    mar = qbuild.monthly_rows("BP1101", "2025-03")
    mar.update(_griya(6, 0, 0, 6))
    qbuild.add_submission(con, "BP1101", "2025-03", mar)
    _prepare(con)
    drafts = evaluate_rule(con, _rule("CONS_GRIYA_CARRY_OVER"))
    assert [(d.period, d.rows()) for d in drafts] == [("2025-03", [2])]


def test_only_the_current_version_is_checked(con) -> None:  # type: ignore[no-untyped-def]
    bad = qbuild.monthly_rows("BP1101", "2025-03")
    bad["KLIEN"][0]["wajib_lapor_hadir"] = 9
    qbuild.add_submission(con, "BP1101", "2025-03", bad)
    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"))
    _prepare(con)
    assert evaluate_rule(con, _rule("CONS_WAJIB_LAPOR")) == []


SYNTHETIC = """
rules:
  - {id: T_EXCLUSIVE, importance: LOW, definition: d, table: POKMAS, operator: exclusive_pair,
     left: {column: no_pks}, right: {column: kabupaten_kota},
     message_id: "m {rows}", message_en: "m", hint_id: "h", hint_en: "h"}
  - {id: T_NOT_EXISTS, importance: LOW, definition: d, table: KLIEN, operator: not_exists_in,
     left: {columns: [no_register]}, right: {sheet: PESERTA, columns: [no_register]},
     message_id: "m", message_en: "m", hint_id: "h", hint_en: "h"}
  - {id: T_ALL_MISSING, importance: LOW, definition: d, table: POKMAS, operator: "==",
     missing: skip_if_all_missing, left: {column: no_pks}, right: {column: kabupaten_kota},
     message_id: "m", message_en: "m", hint_id: "h", hint_en: "h"}
"""


def test_new_rules_need_no_new_code(con) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"))
    _prepare(con)
    rules = {r.id: r for r in parse_rules(yaml.safe_load(SYNTHETIC))}
    # Both filled: the exclusive pair fails; client 3 is in no activity; values differ.
    assert [d.rows() for d in evaluate_rule(con, rules["T_EXCLUSIVE"])] == [[2]]
    assert [d.rows() for d in evaluate_rule(con, rules["T_NOT_EXISTS"])] == [[2, 3]]
    assert [d.rows() for d in evaluate_rule(con, rules["T_ALL_MISSING"])] == [[2]]


def test_rule_naming_an_unknown_column_is_refused() -> None:
    text = SYNTHETIC.replace("right: {column: kabupaten_kota}", "right: {column: nama_klien}", 1)
    rule = parse_rules(yaml.safe_load(text))[0]
    with pytest.raises(UnknownIdentifierError):
        compile_rule(rule)


def test_literals_are_bound_not_inlined() -> None:
    sql, params = compile_rule(_rule("CONS_DIVERSI_ONLY_ANAK"))
    assert "DIVERSI" not in sql and "ANAK" not in sql
    assert set(params.values()) == {"DIVERSI", "ANAK"}


def test_rule_file_ids_are_unique(tmp_path: Path) -> None:
    twice = SYNTHETIC + SYNTHETIC.split("rules:\n", 1)[1]
    with pytest.raises(ValueError, match="duplicate"):
        parse_rules(yaml.safe_load(twice))


def _total_row(rows: Rows) -> None:
    rows["KEGIATAN"].append({"kode_kegiatan": "TOTAL", "biaya_rp": 1_000_000, "jumlah_peserta": 2})


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        # A TOTAL row typed under the activities is reported once, as a TOTAL row (its
        # jumlah_peserta does not also count as a mismatch with PESERTA).
        pytest.param(_total_row, {"CONS_BARIS_TOTAL": [3]}, id="total row"),
        # Swapped PKS dates: one finding on POKMAS, not a second one on every activity.
        pytest.param(_set("POKMAS", 0, tanggal_pks=dt.date(2027, 12, 31),
                          tanggal_berakhir_pks=dt.date(2024, 1, 1)),
                     {"CONS_PKS_BERAKHIR_SETELAH_MULAI": [2]}, id="pks dates swapped"),
        # An implausible age is reported once; the NIK comparison of that row is not judged.
        pytest.param(_set("KLIEN", 0, umur_akhir_periode=3, nik_birthdate_match=False),
                     {"CONS_UMUR_MASUK_AKAL": [2]}, id="birth date holds another date"),
        pytest.param(_set("KLIEN", 0, kategori="ANAK", umur_akhir_periode=16,
                          jenis_program="DIVERSI"), {}, id="a real child on diversion"),
    ],
)  # fmt: skip
def test_one_cause_gives_one_finding(con, mutate, expected: dict[str, list[int]]) -> None:  # type: ignore[no-untyped-def]
    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                          mutate=mutate)  # fmt: skip
    _prepare(con)
    drafts = evaluate_rules(con, load_consistency_rules())
    assert {d.rule.rule_id: d.rows() for d in drafts} == expected


def test_findings_name_the_senders_column_not_a_derived_one(con) -> None:  # type: ignore[no-untyped-def]
    # Regression (issue 12): messages named umur_akhir_periode, a column the sender never had.
    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                          mutate=_set("KLIEN", 0, umur_akhir_periode=16))  # fmt: skip
    _prepare(con)
    (draft,) = evaluate_rule(con, _rule("CONS_DEWASA_18_PLUS"))
    message_id, hint_id, _message_en, _hint_en = draft.render()
    assert draft.samples[0].column == "kategori"
    assert "umur_akhir_periode" not in message_id + hint_id
    assert "ANAK" in message_id
