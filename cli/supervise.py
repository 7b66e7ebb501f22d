"""Run a long-lived child (`dagster dev` for `lipas ui`) that stops promptly with its helpers.

Regression (issue #14 item 10): `lipas ui` replaced itself with `dagster dev`, which took about
20 s to act on SIGTERM and left its code server and gRPC server running until their heartbeats
timed out (about 40 s in all). Here the child runs in a process group of its own; SIGTERM or
SIGINT sent to `lipas ui` (a service manager, Ctrl-C) is forwarded to the whole group at once,
and whatever is still alive after `grace` seconds is killed. The group is killed on every exit.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

GRACE_SECONDS = 5.0
POLL_SECONDS = 0.1
FORWARDED = (signal.SIGTERM, signal.SIGINT)


def signal_group(pgid: int, signum: int) -> bool:
    """Send `signum` to process group `pgid`; False when the group no longer exists."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


def run_supervised(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    grace: float = GRACE_SECONDS,
) -> int:
    """Run `argv` in its own process group until it exits; return an exit status.

    A forwarded signal makes the status 128 + its number (the shell convention), whatever the
    child returned. Must run in the main thread (it installs signal handlers).
    """
    received: list[int] = []
    deadline: list[float] = []
    group: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        if not received:
            deadline.append(time.monotonic() + grace)
        received.append(signum)
        if group:
            log.info("forwarding signal %s to process group %s", signum, group[0])
            signal_group(group[0], signum)

    # Handlers first: a signal arriving while the child starts is forwarded right after.
    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        child = subprocess.Popen(
            list(argv),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    except BaseException:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        raise
    group.append(child.pid)
    if received:
        signal_group(child.pid, received[0])
    try:
        while child.poll() is None:
            if deadline and time.monotonic() > deadline[0]:
                log.warning("process group %s still running after %.0f s: killed", child.pid, grace)
                signal_group(child.pid, signal.SIGKILL)
                child.wait()
                break
            try:
                child.wait(timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:
                continue
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        # Helpers the child started (code server, gRPC server) must not outlive it.
        signal_group(child.pid, signal.SIGKILL)
        if child.poll() is None:
            child.wait()
    return 128 + received[0] if received else int(child.returncode)
