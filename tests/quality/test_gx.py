"""Great Expectations suites: validity on raw rows, the marts, Data Docs on disk."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest
import qbuild

from quality.gx_marts import mart_specs, validate_marts
from quality.gx_suites import ExpectationSpec, GxRunner, shared_runner
from quality.runner import run_checks

pytestmark = pytest.mark.slow


def test_runner_returns_failing_rows_by_key() -> None:
    frame = pd.DataFrame({"jk": ["L", "P", "X", None], "n": [1, 40, 2, 3],
                          "_row_number": [2, 3, 4, 5]})  # fmt: skip
    specs = [
        ExpectationSpec("R_JK", "jk", "in_set", "error", (("value_set", ["L", "P"]),)),
        ExpectationSpec("R_N", "n", "between", "warning", (("min_value", 0), ("max_value", 31))),
        ExpectationSpec("R_JK_NN", "jk", "not_null", "error"),
        ExpectationSpec("R_GONE", "nope", "not_null", "info"),
    ]
    summary = GxRunner().validate("t", frame, specs)
    got = {f.rule_id: [s.get("_row_number") for s in f.samples] for f in summary.failing}
    assert got == {"R_JK": [4], "R_N": [3], "R_JK_NN": [5], "R_GONE": []}
    assert summary.counts == {"error": 2, "warning": 1, "info": 1}
    assert not summary.passed


@pytest.mark.parametrize("dtype", ["int32", "Int32", "Int64", "float32", "Float64", "int64"])
def test_between_on_any_numeric_column_is_vectorised_and_finds_the_same_rows(
    dtype: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 16: GX compared int32 and nullable columns one Python call per value (3.8 M calls
    # in the mart checks); they are handed to GX as int64/float64 with the same values.
    nullable = dtype[0].isupper()
    values = [1, 40, None, 7, -2] if nullable else [1, 40, 3, 7, -2]
    frame = pd.DataFrame({"n": pd.array(values, dtype=dtype), "_row_number": [2, 3, 4, 5, 6]})
    spec = ExpectationSpec("R_N", "n", "between", "error", (("min_value", 0), ("max_value", 31)))
    calls: list[object] = []
    real = pd.Series.map
    monkeypatch.setattr(pd.Series, "map", lambda *a, **k: calls.append(a) or real(*a, **k))
    summary = GxRunner().validate("t", frame, [spec])
    (failed,) = summary.failing
    assert [(s["_row_number"], s["n"]) for s in failed.samples] == [(3, 40), (6, -2)]
    assert calls == [], "GX fell back to one Python call per value"
    assert frame["n"].dtype == dtype  # the caller's frame is not changed


def test_one_runner_serves_every_night_of_a_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Issue 16: the context and suites are built once per process, so the same table is
    # validated again (the next night, the mart checks after the raw checks) on the same runner.
    assert shared_runner(tmp_path) is shared_runner(tmp_path)
    assert shared_runner() is not shared_runner(tmp_path)
    runner = GxRunner()
    specs = [ExpectationSpec("R_N", "n", "between", "error", (("min_value", 0), ("max_value", 9)))]
    first = runner.validate("t", pd.DataFrame({"n": [1, 40], "_row_number": [2, 3]}), specs)
    second = runner.validate("t", pd.DataFrame({"n": [50, 1, 2], "_row_number": [7, 8, 9]}), specs)
    assert [s["_row_number"] for s in first.failing[0].samples] == [3]
    assert [s["_row_number"] for s in second.failing[0].samples] == [7]
    clean = runner.validate("t", pd.DataFrame({"n": [1], "_row_number": [2]}), specs)
    assert clean.passed and clean.failing == ()
    # Other specs under the same name (a column gone) get their own suite, not the cached one.
    fewer = runner.validate("t", pd.DataFrame({"_row_number": [2]}), specs)
    assert [f.error for f in fewer.failing] == ["column missing"]
    with_more = [*specs, ExpectationSpec("R_M", "m", "not_null", "warning")]
    both = runner.validate(
        "t", pd.DataFrame({"n": [1], "m": [None], "_row_number": [2]}), with_more
    )
    assert [f.rule_id for f in both.failing] == ["R_M"]
    # Results are read, then dropped: a long-lived process does not keep every night's rows.
    assert runner.context.validation_results_store.list_keys() == []


def test_run_checks_flags_validity_and_writes_data_docs(lipas_home) -> None:  # type: ignore[no-untyped-def]
    def invalid(rows: qbuild.Rows) -> None:
        rows["KLIEN"][1]["jenis_program"] = "BEBAS"
        rows["KLIEN"][2]["nik_status"] = "BAD_LENGTH"
        rows["KEGIATAN"][0]["tanggal"] = dt.date(2025, 2, 20)

    con = qbuild.connect(lipas_home.warehouse_path)
    qbuild.add_submission(con, "BP1101", "2025-03", qbuild.monthly_rows("BP1101", "2025-03"),
                          mutate=invalid, received_at=dt.datetime(2025, 4, 1))  # fmt: skip
    con.close()
    summary = run_checks(lipas_home, as_of=dt.date(2025, 4, 20), periods=["2025-03"],
                         bapas=frozenset({"BP1101"}))  # fmt: skip
    con = duckdb.connect(str(lipas_home.warehouse_path), read_only=True)
    rows = con.execute(
        "select rule_id, severity, sample_rows from quality.findings"
        " where rule_family = 'validity' order by rule_id"
    ).fetchall()
    con.close()
    got = {r[0]: (r[1], [s["row"] for s in json.loads(r[2])]) for r in rows}
    assert got == {
        "VAL_KEGIATAN_TANGGAL_PERIOD_START": ("error", [2]),
        "VAL_KLIEN_JENIS_PROGRAM_IN_SET": ("error", [3]),
        "VAL_KLIEN_NIK_STRUCTURE": ("warning", [4]),
    }
    assert summary.data_docs is not None
    assert (lipas_home.reports_dir / "data_docs" / "index.html").is_file()


def test_validate_marts_is_table_driven(lipas_home) -> None:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(lipas_home.warehouse_path))
    con.execute("create schema marts")
    # Rates in 0-1 are dbt tests (value_between) and no longer repeated here (issue 13).
    con.execute(
        "create table marts.fct_activity as select * from (values"
        " (100.0, 3), (-5.0, 2)) t(cost_idr, reported_participants)"
    )
    con.execute("create table marts.fct_participation as select 'a' as activity_id")
    con.close()
    results = {r.table: r for r in validate_marts(lipas_home, data_docs=False)}
    assert set(results) == set(mart_specs())
    assert not results["fct_activity"].passed
    assert results["fct_activity"].failing == ("MART_FCT_ACTIVITY_COST_IDR_BETWEEN: 1 unexpected",)
    assert results["fct_participation"].passed
    assert results["fct_client_month"].failing == ("mart missing",)


def test_mart_checks_read_only_the_suite_columns(lipas_home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Issue 16: `select *` of the national fct_client_month made the step peak at GBs. The
    # suite's columns are read; a checked column the mart lacks still fails the check.
    import quality.gx_marts as gx_marts

    seen: dict[str, list[str]] = {}
    real = gx_marts.shared_runner

    class Recording:
        def __init__(self, runner: GxRunner) -> None:
            self.runner = runner

        def validate(self, name, frame, specs, keys=()):  # type: ignore[no-untyped-def]
            seen[name] = list(frame.columns)
            return self.runner.validate(name, frame, specs, keys)

        def docs_batch(self):  # type: ignore[no-untyped-def]
            return self.runner.docs_batch()

    monkeypatch.setattr(gx_marts, "shared_runner", lambda docs=None: Recording(real(docs)))
    con = duckdb.connect(str(lipas_home.warehouse_path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_activity as select * from (values"
        " (100.0, 'x' || repeat('y', 50)), (5.0, 'z')) t(cost_idr, wide_unchecked_text)"
    )
    con.execute("create table marts.mart_submission_compliance as select 1 as other")
    con.close()
    results = {r.table: r for r in validate_marts(lipas_home, data_docs=False)}
    assert seen["mart_fct_activity"] == ["cost_idr"]
    assert results["fct_activity"].rows == 2
    assert results["fct_activity"].failing == (
        "MART_FCT_ACTIVITY_REPORTED_PARTICIPANTS_BETWEEN: column missing",
    )
    assert seen["mart_mart_submission_compliance"] == ["other"]
    assert results["mart_submission_compliance"].failing == (
        "MART_MART_SUBMISSION_COMPLIANCE_MEAN_QUALITY_SCORE_BETWEEN: column missing",
    )


def test_a_column_checked_only_for_nulls_is_fetched_as_its_nullness(lipas_home) -> None:  # type: ignore[no-untyped-def]
    # Issue 16: fct_client_month's 4.4 M client_id strings were most of the mart checks' peak.
    import quality.gx_marts as gx_marts

    con = duckdb.connect(str(lipas_home.warehouse_path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_participation as select * from (values"
        " ('BP1101|K01'), (null), ('BP1101|K02')) t(activity_id)"
    )
    specs = gx_marts.mart_specs()["fct_participation"]
    frame = gx_marts._mart_frame(con, "fct_participation", specs)
    con.close()
    assert frame["activity_id"].isna().tolist() == [False, True, False]
    assert not any(isinstance(v, str) for v in frame["activity_id"])
    results = {r.table: r for r in validate_marts(lipas_home, data_docs=False)}
    assert results["fct_participation"].failing == (
        "MART_FCT_PARTICIPATION_ACTIVITY_ID_NOT_NULL: 1 unexpected",
    )


def test_lazy_runner_builds_the_shared_one_only_when_called(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Issue 16: a run whose validity results are all cached never imports GX.
    from quality import gx_lazy

    built: list[object] = []
    monkeypatch.setattr(gx_lazy, "shared_runner", lambda docs: built.append(docs) or "runner")
    lazy = gx_lazy.LazyRunner(tmp_path)
    assert built == []
    assert lazy() == "runner" and built == [tmp_path]


def test_a_docs_batch_renders_every_validation_in_one_build(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Issue 16: one Data Docs build per validation recompiled GX's templates each time.
    from quality.data_docs import load_records

    runner = GxRunner(tmp_path)
    builds: list[int] = []
    real = runner.context.build_data_docs

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        builds.append(len(kwargs["resource_identifiers"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(runner.context, "build_data_docs", counting)
    spec = ExpectationSpec("R_N", "n", "between", "error", (("min_value", 0), ("max_value", 9)))
    with runner.docs_batch():
        for name in ("raw_a", "raw_b"):
            frame = pd.DataFrame({"n": [1, 40], "_row_number": [2, 3]})
            assert not runner.validate(name, frame, [spec]).passed
        assert builds == []  # nothing rendered before the batch ends
    assert builds == [4]  # two results and their two suites, one build
    assert {r.suite for r in load_records(tmp_path)} >= {"raw_a", "raw_b"}
    assert runner.context.validation_results_store.list_keys() == []
