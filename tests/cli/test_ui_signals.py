"""`lipas ui` stops promptly on SIGTERM/SIGINT, helpers included (issue #14 item 10).

Regression: `lipas ui` replaced itself with `dagster dev`, which took about 20 s to act on
SIGTERM and left its code server and gRPC server running until their heartbeats timed out.
`cli.supervise.run_supervised` runs the child in its own process group, forwards the signal to
the whole group and kills what is left after a grace period. Tested with real processes: a
wrapper process running `run_supervised` over a child that starts a grandchild (as dagster dev
starts its servers). Readiness and exits are polled, never slept for.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The child: starts a grandchild, writes both pids, then waits. MODE picks how it meets signals.
CHILD = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    out, mode = sys.argv[1], sys.argv[2]
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if mode == "int_note":
        def note(signum, frame):
            open(out + ".int", "w").write("INT")
            sys.exit(0)
        signal.signal(signal.SIGINT, note)
    # An ignored SIGTERM is inherited: in "stubborn" mode the helper sits on it too.
    helper = subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(0.05)"])
    with open(out + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {helper.pid}")
    os.replace(out + ".tmp", out)
    if mode == "exit3":
        sys.exit(3)
    while True:
        time.sleep(0.05)
    """
)
WRAPPER = textwrap.dedent(
    """
    import sys
    from cli.supervise import run_supervised
    out, mode, grace = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sys.exit(run_supervised([sys.executable, sys.argv[4], out, mode], grace=grace))
    """
)


def _alive(pid: int) -> bool:
    """Running and not a zombie (a killed orphan may wait for a reaper that never comes)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _poll(condition: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class Run:
    """A wrapper process (python running run_supervised) and the pids its child reported."""

    def __init__(self, tmp: Path, mode: str, grace: float) -> None:
        (tmp / "child.py").write_text(CHILD, encoding="utf-8")
        self.out = tmp / f"pids_{mode}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, str(self.out), mode, str(grace), str(tmp / "child.py")],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            start_new_session=True,  # the test's own group never receives these signals
        )
        assert _poll(self.out.exists, 60), "child never started"
        self.child, self.helper = (int(x) for x in self.out.read_text().split())

    def pids(self) -> list[int]:
        return [self.proc.pid, self.child, self.helper]

    def kill_all(self) -> None:
        for pid in (self.proc.pid, self.child):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=30)


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[list[Run]]:
    started: list[Run] = []
    try:
        yield started
    finally:
        for run in started:
            run.kill_all()


def _start(runs: list[Run], tmp: Path, mode: str, grace: float = 5.0) -> Run:
    run = Run(tmp, mode, grace)
    runs.append(run)
    return run


def test_sigterm_stops_child_and_helpers_promptly(tmp_path: Path, runs: list[Run]) -> None:
    run = _start(runs, tmp_path, "plain")
    started = time.monotonic()
    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=10) == 128 + signal.SIGTERM
    assert time.monotonic() - started < 3, "a cooperative child needs no grace period"
    assert _poll(lambda: not any(_alive(p) for p in (run.child, run.helper)), 5)


def test_child_ignoring_sigterm_is_killed_after_the_grace(tmp_path: Path, runs: list[Run]) -> None:
    """The old behaviour: a child (dagster dev) and helpers that sit on SIGTERM."""
    run = _start(runs, tmp_path, "stubborn", grace=1.0)
    started = time.monotonic()
    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=15) == 128 + signal.SIGTERM
    took = time.monotonic() - started
    assert 1.0 <= took < 5, took
    assert _poll(lambda: not any(_alive(p) for p in (run.child, run.helper)), 5)


def test_ctrl_c_is_forwarded_as_sigint(tmp_path: Path, runs: list[Run]) -> None:
    run = _start(runs, tmp_path, "int_note")
    run.proc.send_signal(signal.SIGINT)
    assert run.proc.wait(timeout=10) == 128 + signal.SIGINT
    assert Path(f"{run.out}.int").read_text() == "INT"
    assert _poll(lambda: not _alive(run.helper), 5)


def test_child_exit_status_kept_and_leftover_helpers_killed(
    tmp_path: Path, runs: list[Run]
) -> None:
    run = _start(runs, tmp_path, "exit3")
    assert run.proc.wait(timeout=10) == 3
    assert _poll(lambda: not _alive(run.helper), 5), "helper outlived the child"
