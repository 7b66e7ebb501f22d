"""Great Expectations 1.x: one spec format, one suite builder, one runner per process.

GX is imported inside functions: it takes seconds to import and most CLI commands never need it.
`shared_runner` keeps one context per process and each suite and checkpoint is built once, then
rerun on each new DataFrame (issue 16: a context and suites per check cost the quality step).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from quality.gx_frames import vectorisable
from quality.model import Severity
from quality.redaction import scrub_value

logger = logging.getLogger(__name__)

# Our expectation kinds -> GX 1.x expectation class names.
GX_CLASSES: dict[str, str] = {
    "not_null": "ExpectColumnValuesToNotBeNull",
    "in_set": "ExpectColumnValuesToBeInSet",
    "between": "ExpectColumnValuesToBeBetween",
    "match_regex": "ExpectColumnValuesToMatchRegex",
    "a_ge_b": "ExpectColumnPairValuesAToBeGreaterThanB",
    "unique": "ExpectColumnValuesToBeUnique",
    "compound_unique": "ExpectCompoundColumnsToBeUnique",
    "row_count_between": "ExpectTableRowCountToBeBetween",
}
NO_COLUMN_ARG = ("row_count_between", "compound_unique", "a_ge_b")
MAX_SAMPLES = 50
# Runners kept per process (one per Data Docs folder; tests use many folders in one process).
MAX_SHARED_RUNNERS = 4


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation as data: which column, which kind, its arguments and our severity."""

    rule_id: str
    column: str | None
    kind: str
    severity: Severity
    kwargs: tuple[tuple[str, Any], ...] = ()

    def columns(self) -> set[str]:
        """Columns the expectation needs (to skip cleanly when a mart lacks one)."""
        cols = {self.column} if self.column else set()
        for key, value in self.kwargs:
            if key in ("column_A", "column_B"):
                cols.add(str(value))
            if key == "column_list":
                cols.update(value)
        return cols


@dataclass(frozen=True)
class FailedExpectation:
    """A failing expectation with the keys of (a sample of) its unexpected rows."""

    rule_id: str
    kind: str
    column: str | None
    severity: Severity
    unexpected_count: int
    samples: tuple[dict[str, Any], ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ValidationSummary:
    """What the runner returns for one DataFrame."""

    name: str
    passed: bool
    evaluated: int
    counts: dict[str, int] = field(default_factory=dict)
    failing: tuple[FailedExpectation, ...] = ()


def build_suite(name: str, specs: Sequence[ExpectationSpec]) -> Any:
    """The one builder: a gx.ExpectationSuite from specs (rule id and severity kept in meta)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=name)
    for spec in specs:
        cls = getattr(gx.expectations, GX_CLASSES[spec.kind])
        kwargs = dict(spec.kwargs)
        if spec.column is not None and spec.kind not in NO_COLUMN_ARG:
            kwargs["column"] = spec.column
        meta = {"rule_id": spec.rule_id, "severity": spec.severity, "kind": spec.kind}
        suite.add_expectation(cls(meta=meta, **kwargs))
    return suite


class GxRunner:
    """Holds one ephemeral GX context; optionally renders Data Docs to a folder.

    Suites, validation definitions and checkpoints are built on a name's first validation and
    reused after, so one runner can serve every run of a long-lived process (`shared_runner`).
    """

    def __init__(self, docs_dir: Path | None = None) -> None:
        """Create the context (and the Data Docs site when `docs_dir` is given)."""
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self.source = self.context.data_sources.add_pandas("lipas")
        self.docs_dir = docs_dir
        self._checkpoints: dict[str, Any] = {}
        self._name_uses: dict[str, int] = {}
        self._lock = threading.RLock()
        # (key, result) of validations whose Data Docs wait for the end of a docs_batch.
        self._deferred: list[tuple[Any, Any]] | None = None
        if docs_dir is not None:
            docs_dir.mkdir(parents=True, exist_ok=True)
            self.context.add_data_docs_site(
                site_name="lipas",
                site_config={
                    "class_name": "SiteBuilder",
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs_dir),
                    },
                },
            )

    def validate(
        self,
        name: str,
        frame: pd.DataFrame,
        specs: Sequence[ExpectationSpec],
        index_columns: Sequence[str] = ("_row_number",),
    ) -> ValidationSummary:
        """Validate one DataFrame against the specs; expectations on absent columns fail."""
        present = set(frame.columns)
        runnable = [s for s in specs if s.columns() <= present]
        failing = [
            FailedExpectation(s.rule_id, s.kind, s.column, s.severity, 0, (), "column missing")
            for s in specs
            if not s.columns() <= present
        ]
        index = [c for c in index_columns if c in present]
        frame = vectorisable(frame, runnable)
        if runnable:
            checkpoint = self._checkpoint(name, runnable, index)
            with self._lock:
                outcome = checkpoint.run(batch_parameters={"dataframe": frame})
                for key, run_result in outcome.run_results.items():
                    _scrub_results(run_result)
                    failing.extend(_failures(run_result.results))
                    if self._deferred is not None and self.docs_dir is not None:
                        self._deferred.append((key, run_result))
                    else:
                        self._publish([(key, run_result)])
        counts = {
            sev: sum(1 for f in failing if f.severity == sev)
            for sev in ("error", "warning", "info")
        }
        passed = counts["error"] == 0
        logger.info("GX %s: %d expectations, %d failing", name, len(specs), len(failing))
        return ValidationSummary(name, passed, len(specs), counts, tuple(failing))

    def _checkpoint(
        self, name: str, runnable: Sequence[ExpectationSpec], index: Sequence[str]
    ) -> Any:
        """The checkpoint for these specs, built on first use (asset, suite, definition)."""
        gx = self._gx
        key = repr((name, tuple(runnable), tuple(index)))
        with self._lock:
            cached = self._checkpoints.get(key)
            if cached is not None:
                return cached
            # The same name with other specs (a column missing this time) gets its own objects.
            uses = self._name_uses.get(name, 0)
            self._name_uses[name] = uses + 1
            gx_name = name if uses == 0 else f"{name}_{uses}"
            asset = self.source.add_dataframe_asset(gx_name)
            batch = asset.add_batch_definition_whole_dataframe(f"{gx_name}_all")
            suite = self.context.suites.add(build_suite(gx_name, runnable))
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=gx_name, data=batch, suite=suite)
            )
            result_format: dict[str, Any] = {
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(index),
                "return_unexpected_index_query": False,
            }
            # No UpdateDataDocsAction: it would render the unscrubbed results (a NIK typed into
            # a count column, verbatim); _publish renders the scrubbed copy instead.
            checkpoint = self.context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{gx_name}_checkpoint",
                    validation_definitions=[definition],
                    actions=[],
                    result_format=result_format,
                )
            )
            self._checkpoints[key] = checkpoint
            return checkpoint

    @contextmanager
    def docs_batch(self) -> Iterator[None]:
        """Render the Data Docs of every validation in the block with one build at its end.

        GX's page view compiles its Jinja templates afresh for every build: one build per
        validation cost ~0.4 s each, ~2.3 s of a night's checks (issue 16).
        """
        with self._lock:
            outer = self._deferred is not None
            if not outer:
                self._deferred = []
        try:
            yield
        finally:
            if not outer:
                with self._lock:
                    batch, self._deferred = self._deferred or [], None
                    self._publish(batch)

    def _publish(self, results: list[tuple[Any, Any]]) -> None:
        """Store the scrubbed results, render their Data Docs in one build, then drop them."""
        store: Any = self.context.validation_results_store
        if self.docs_dir is not None and results:
            from great_expectations.data_context.types.resource_identifiers import (
                ExpectationSuiteIdentifier,
            )

            from quality.data_docs import record_validation

            identifiers: list[Any] = []
            for key, run_result in results:
                store.set(key, run_result)
                identifiers += [key, ExpectationSuiteIdentifier(name=run_result.suite_name)]
            # build_index=False: GX's index builder deletes every page its ephemeral stores do
            # not know, i.e. the other command's suites (issue 14 item 7); data_docs writes it.
            self.context.build_data_docs(
                site_names=["lipas"], resource_identifiers=identifiers, build_index=False
            )
            for _key, run_result in results:
                statistics = dict(run_result.statistics)
                record_validation(self.docs_dir, str(run_result.suite_name), statistics)
        # The in-memory store would keep every night's results in a long-lived process.
        for key, _run_result in results:
            if store.has_key(key):
                store.remove_key(key)


_RUNNERS: OrderedDict[Path | None, GxRunner] = OrderedDict()
_RUNNERS_LOCK = threading.Lock()


def shared_runner(docs_dir: Path | None = None) -> GxRunner:
    """This process's runner for `docs_dir`: the GX context and suites are built once.

    The quality checks and the mart checks of one nightly (and every later run of a Dagster
    code server) share it instead of building a context and suites per call.
    """
    key = docs_dir.resolve() if docs_dir is not None else None
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get(key)
        if runner is None:
            runner = GxRunner(docs_dir)
            _RUNNERS[key] = runner
            while len(_RUNNERS) > MAX_SHARED_RUNNERS:
                _RUNNERS.popitem(last=False)
        else:
            _RUNNERS.move_to_end(key)
    if docs_dir is not None:
        # A folder removed since (a reset home) is made again, as the constructor does.
        docs_dir.mkdir(parents=True, exist_ok=True)
    return runner


def reset_shared_runners() -> None:
    """Forget the process's runners (a benchmark's cold start; a test that wants a fresh one)."""
    with _RUNNERS_LOCK:
        _RUNNERS.clear()


def _scrub_results(run_result: Any) -> None:
    """Mask long digit runs in every expectation result (values, samples, exception text)."""
    for res in run_result.results:
        if res.result:
            res.result = scrub_value(res.result)
        if res.exception_info:
            res.exception_info = scrub_value(res.exception_info)


def _failures(results: Sequence[Any]) -> list[FailedExpectation]:
    out = []
    for res in results:
        if res.success:
            continue
        meta = res.expectation_config.meta or {}
        detail = res.result or {}
        error = None
        if res.exception_info and res.exception_info.get("raised_exception"):
            error = str(res.exception_info.get("exception_message"))
        out.append(
            FailedExpectation(
                rule_id=str(meta.get("rule_id", res.expectation_config.type)),
                kind=str(meta.get("kind", res.expectation_config.type)),
                column=res.expectation_config.kwargs.get("column"),
                severity=meta.get("severity", "error"),
                unexpected_count=int(detail.get("unexpected_count") or 0),
                samples=tuple(detail.get("unexpected_index_list") or ()),
                error=error,
            )
        )
    return out
