"""The process's GX runner, built on first use: a run with nothing to validate never imports GX."""

from __future__ import annotations

import time
from pathlib import Path

from quality.gx_suites import GxRunner, shared_runner


class LazyRunner:
    """`shared_runner(docs_dir)`, built when first called.

    Importing GX and building its context takes ~3-4 s (issue 16). Validity asks for the runner
    only when a submission has no cached result, so a re-run of the checks on a day's data
    never pays it. (Building it on a thread while the SQL rule families ran saved ~0.3 s of
    wall time and cost ~1.3 s more CPU through the GIL: measured, then dropped.)
    `waited` is the time spent building it.
    """

    def __init__(self, docs_dir: Path | None = None) -> None:
        """Remember where Data Docs go; nothing is built yet."""
        self.docs_dir = docs_dir
        self.waited = 0.0

    def __call__(self) -> GxRunner:
        """The runner (built on the first call)."""
        start = time.perf_counter()
        runner = shared_runner(self.docs_dir)
        self.waited += time.perf_counter() - start
        return runner
