"""reports/run_failures.jsonl: one line per failed run, whoever records it (issue #14).

Regression: the run-failure sensor (daemon) and the CLI that ran the job both announce a failed
run; each looked the run id up and then appended, so the two could both append (and both mail).
`record_failure` now looks up and appends under one exclusive flock. Two real processes record
the same run ids at the same moment; every id must be written exactly once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from orchestration.defs.sensors import FAILURE_LOG, record_failure

ROOT = Path(__file__).resolve().parents[2]
RUNS = 150
# Waits for the start file, then records run-0..run-N in order; prints how many it wrote.
RECORDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from orchestration.defs.sensors import record_failure
    reports, go, runs, who = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    (reports / f"ready_{who}").touch()
    while not go.exists():
        time.sleep(0.001)
    wrote = sum(
        record_failure(reports, f"run-{i}", "nightly", f"failed ({who})") is not None
        for i in range(runs)
    )
    print(wrote)
    """
)


def test_two_processes_record_each_run_once(tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RECORDER, str(tmp_path), str(go), str(RUNS), who],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for who in ("sensor", "cli")
    ]
    try:
        end = time.monotonic() + 120
        while not all((tmp_path / f"ready_{w}").exists() for w in ("sensor", "cli")):
            assert time.monotonic() < end, "recorders never started"
            assert all(p.poll() is None for p in procs), "a recorder died while starting"
            time.sleep(0.01)
        go.touch()
        outputs = [p.communicate(timeout=120)[0] for p in procs]
    finally:
        for p in procs:
            p.kill()
            p.wait()
    assert [p.returncode for p in procs] == [0, 0]
    written = [int(out.strip()) for out in outputs]
    assert sum(written) == RUNS, written
    lines = (tmp_path / FAILURE_LOG).read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["run_id"] for line in lines]  # every line whole JSON
    assert sorted(ids) == sorted(f"run-{i}" for i in range(RUNS))


def test_second_record_of_a_run_writes_nothing(tmp_path: Path) -> None:
    assert record_failure(tmp_path, "run-1", "nightly", "boom") == tmp_path / FAILURE_LOG
    assert record_failure(tmp_path, "run-1", "nightly", "boom again") is None
    assert record_failure(tmp_path, "run-2", "nightly", "bang") is not None
    lines = (tmp_path / FAILURE_LOG).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["boom", "bang"]


def test_digest_lists_a_run_recorded_twice_once(tmp_path: Path) -> None:
    """A log written before appends were locked may hold a run twice: the digest shows it once."""
    import datetime as dt

    from quality.alerts.loader import read_run_failures

    entry = {"run_id": "r1", "job": "nightly", "message": "x", "failed_at": "2026-01-10T01:00:00"}
    other = {**entry, "run_id": "r2"}
    lines = [json.dumps(e) for e in (entry, entry, other)]
    (tmp_path / FAILURE_LOG).write_text("\n".join(lines) + "\n", encoding="utf-8")
    failures = read_run_failures(tmp_path, dt.date(2026, 1, 10))
    assert [f.run_id for f in failures] == ["r1", "r2"]
