"""The process's GX runner, built on a thread while the caller does other work first."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from quality.gx_suites import GxRunner, shared_runner


class BackgroundRunner:
    """`shared_runner(docs_dir)` built on a thread, for a caller with other work to do first.

    Importing GX and building its context takes ~3-4 s of Python (issue 16). The quality
    checks start it, run their SQL-only rule families meanwhile (DuckDB releases the GIL while
    a query runs), and wait only when the first validation needs it, or never when every
    submission's validity result is cached. `waited` is the time spent waiting for it.
    """

    def __init__(self, docs_dir: Path | None = None) -> None:
        """Start building (the heavy libraries GX shares with us are imported here first)."""
        import pyarrow  # noqa: F401  (imported before the thread: no two threads import it)

        self.docs_dir = docs_dir
        self.waited = 0.0
        self._runner: GxRunner | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._build, name="gx-context", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        try:
            self._runner = shared_runner(self.docs_dir)
        except BaseException as exc:  # re-raised in the caller's thread by __call__
            self._error = exc

    def __call__(self) -> GxRunner:
        """The runner, once built (raises what building it raised)."""
        start = time.perf_counter()
        self._thread.join()
        self.waited += time.perf_counter() - start
        if self._error is not None:
            raise self._error
        assert self._runner is not None
        return self._runner
