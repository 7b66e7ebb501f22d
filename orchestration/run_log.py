"""A CLI-started run's full Dagster log goes to a file; the terminal gets one line per step.

`make demo` used to print Dagster's console log (about a thousand lines, half of them DEBUG,
one of 76,000 characters) before the useful summary (issue 14 item 8). The run's events are
still all in the instance (the UI shows them); this listener also writes them, one line each,
to LIPAS_HOME/logs/<job>_<run id>.log and reports step starts and ends to a callback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# Run config that keeps Dagster's console logger quiet: the same events go to the log file.
QUIET_CONSOLE: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
STEP_END = {"STEP_SUCCESS": "ok", "STEP_FAILURE": "FAILED", "STEP_SKIPPED": "skipped"}
POOL_WAIT = "blocked by limit for pool"


@dataclass(frozen=True)
class StepEvent:
    """A step started, waits for the warehouse pool, or ended (`state` and `seconds` then set)."""

    step: str
    kind: str  # "start", "wait" or "end"
    state: str = ""
    seconds: float = 0.0
    message: str = ""


@dataclass
class RunLog:
    """Event listener for one run: appends every event to `path`, reports steps to `progress`."""

    path: Path
    progress: Callable[[StepEvent], None] | None = None
    _handle: IO[str] | None = None
    _started: dict[str, float] = field(default_factory=dict)
    _waiting: set[str] = field(default_factory=set)

    def __enter__(self) -> RunLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    @property
    def handle(self) -> IO[str]:
        """The open log file (inside the `with` block only)."""
        assert self._handle is not None, "RunLog used outside its with block"
        return self._handle

    def __call__(self, entry: Any) -> None:
        """Called by the instance for every stored event of the run (same thread, in order)."""
        event_type = entry.dagster_event.event_type_value if entry.is_dagster_event else "LOG"
        when = dt.datetime.fromtimestamp(entry.timestamp, dt.UTC).isoformat(timespec="seconds")
        level = logging.getLevelName(entry.level)
        step = entry.step_key or "-"
        if self._handle is not None:
            self._handle.write(f"{when} {level:<7} {step} {event_type} {entry.message}\n")
            error = error_of(entry)
            if error is not None:
                self._handle.write(error.to_string() + "\n")
            self._handle.flush()
        if self.progress is not None and entry.step_key:
            self._report(entry, event_type)

    def _report(self, entry: Any, event_type: str) -> None:
        step = entry.step_key
        assert self.progress is not None
        if event_type == "STEP_START":
            self._started[step] = entry.timestamp
            self.progress(StepEvent(step, "start"))
        elif event_type in STEP_END:
            seconds = entry.timestamp - self._started.get(step, entry.timestamp)
            error = error_of(entry) if event_type == "STEP_FAILURE" else None
            message = error_summary(error) if error is not None else ""
            self.progress(StepEvent(step, "end", STEP_END[event_type], seconds, message))
        elif POOL_WAIT in entry.message and step not in self._waiting:
            self._waiting.add(step)
            self.progress(StepEvent(step, "wait", message=entry.message))


def error_of(entry: Any) -> Any:
    """The error a failure event carries (step failures keep it on the event's data)."""
    if entry.error_info is not None:
        return entry.error_info
    event = entry.dagster_event if entry.is_dagster_event else None
    data = getattr(event, "event_specific_data", None) if event is not None else None
    return getattr(data, "error", None)


def error_summary(error: Any) -> str:
    """The innermost cause, on one line: the part that says what went wrong (not the wrapper)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    text = " ".join((error.message or "").split())
    # Messages often repeat the qualified class name ("pkg.mod.SomeError: ...") after it.
    head = f"{error.cls_name}: "
    if head in text[:300]:
        text = text.split(head, 1)[1]
    return f"{error.cls_name}: {text}"


@contextlib.contextmanager
def captured_output(handle: IO[str]) -> Iterator[None]:
    """Send stdout (dbt's streamed log), Python warnings and log records to the run's file.

    Only while the run executes, in this process: the terminal keeps the progress lines.
    """
    handler = logging.StreamHandler(handle)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    logging.captureWarnings(True)
    try:
        with contextlib.redirect_stdout(handle):
            yield
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)


def run_log_path(logs_dir: Path, job_name: str, run_id: str) -> Path:
    """LIPAS_HOME/logs/<job>_<first 8 of run id>.log: short enough to type, unique per run."""
    return logs_dir / f"{job_name}_{run_id[:8]}.log"
