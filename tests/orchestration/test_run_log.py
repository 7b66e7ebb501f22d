"""The CLI run log: every event to the file, one short line per step (issue 14 item 8)."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

from dagster._utils.error import SerializableErrorInfo

from orchestration.run_log import RunLog, StepEvent, captured_output, error_summary


def _entry(event_type: str, step: str | None, ts: float, message: str, error: object = None):  # type: ignore[no-untyped-def]
    event = SimpleNamespace(
        event_type_value=event_type, event_specific_data=SimpleNamespace(error=error)
    )
    return SimpleNamespace(
        is_dagster_event=True, dagster_event=event, timestamp=ts, level=logging.DEBUG,
        step_key=step, message=message, error_info=None,
    )  # fmt: skip


def test_steps_reported_with_timings_and_every_event_in_the_file(tmp_path: Path) -> None:
    seen: list[StepEvent] = []
    cause = SerializableErrorInfo("duckdb.IOException: IO Error: lock held", [], "IOException")
    wrapper = SerializableErrorInfo("Error occurred while executing op", [], "StepError", cause)
    with RunLog(tmp_path / "logs" / "run.log", seen.append) as log:
        log(_entry("STEP_START", "ingest", 100.0, "Started execution of step"))
        log(_entry("ENGINE_EVENT", "ingest", 100.5, "Step blocked by limit for pool duckdb"))
        log(_entry("ENGINE_EVENT", "ingest", 101.0, "Step still blocked by limit for pool duckdb"))
        log(_entry("STEP_FAILURE", "ingest", 112.5, 'Execution of step "ingest" failed.', wrapper))
        log(_entry("RUN_FAILURE", None, 113.0, "Execution of run failed."))
    assert [e.kind for e in seen] == ["start", "wait", "end"]  # one wait line per step
    end = seen[-1]
    assert (end.state, end.seconds) == ("FAILED", 12.5)
    assert end.message == "IOException: IO Error: lock held"  # the cause, not the wrapper
    text = (tmp_path / "logs" / "run.log").read_text()
    assert text.count("\n") >= 5 and "RUN_FAILURE" in text and "DEBUG" in text


def test_captured_output_sends_stdout_warnings_and_log_records_to_the_file(tmp_path: Path) -> None:
    """dbt's streamed lines (stdout) and library warnings used to flood the terminal."""
    path = tmp_path / "run.log"
    with path.open("w") as handle, captured_output(handle):
        sys.stdout.write("1 of 239 START sql table model marts.dim_period\n")
        logging.getLogger("ingestion.pseudonymise").warning("development key in use")
        warnings.warn("a library warning", UserWarning, stacklevel=1)
    text = path.read_text()
    assert "START sql table" in text and "development key" in text and "library warning" in text
    assert not logging.getLogger().handlers or all(
        getattr(h, "stream", None) is not handle for h in logging.getLogger().handlers
    )


def test_error_summary_is_one_line_without_the_repeated_class() -> None:
    error = SerializableErrorInfo(
        "dagster_dbt.errors.DagsterDbtCliRuntimeError: The dbt CLI process\nfailed", [],
        "DagsterDbtCliRuntimeError",
    )  # fmt: skip
    assert error_summary(error) == "DagsterDbtCliRuntimeError: The dbt CLI process failed"
