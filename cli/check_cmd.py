"""`lipas check`: run the quality checks, print findings by severity and family (or JSON)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import date_option, fail, judging_day_option, period_option

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def register(app: typer.Typer) -> None:
    """Add the `check` command to the CLI."""
    app.command("check")(check_command)


def check_command(
    period: Annotated[
        str | None, typer.Option("--period", help="Check one month, YYYY-MM (default: window).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    evaluate: Annotated[
        Path | None,
        typer.Option("--evaluate", help="Score against a generator DIR/_manifest.json."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Judging day YYYY-MM-DD (default: LIPAS_AS_OF, LIPAS_HOME/instance.json, today).",
        ),
    ] = None,
    no_gx: Annotated[
        bool, typer.Option("--no-gx", help="Skip the Great Expectations validity suites.")
    ] = False,
) -> None:
    """Run every quality rule on the current submissions and show what is missing or wrong."""
    from core.settings import load_settings
    from quality.runner import run_checks

    flag_day = date_option(as_of)
    month = period_option(period)
    months = [month] if month is not None else None
    if evaluate is not None and not evaluate.is_file():
        fail(f"manifest {evaluate} not found (expected DIR/_manifest.json from lipas generate)")
    settings = load_settings()
    if evaluate is not None:
        # The generator's manifest knows the day its faults were planted for.
        _evaluate(settings, evaluate, flag_day, as_json, not no_gx)
        return
    day = judging_day_option(as_of)
    summary = run_checks(settings, as_of=day, periods=months, with_gx=not no_gx)
    findings = _open_findings(settings.warehouse_path, summary.periods)
    if as_json:
        typer.echo(json.dumps(_json_summary(summary, findings), default=str, indent=1))
        return
    _print_summary(summary, findings)


def _open_findings(warehouse: Path, periods: tuple[str, ...]) -> list[dict[str, Any]]:
    from core.duckdb_connect import open_duckdb

    con = open_duckdb(str(warehouse), read_only=True)
    try:
        cur = con.execute(
            "select finding_id, rule_id, rule_family, severity, kode_bapas, periode,"
            " affected_rows, message_id, message_en, hint_id, hint_en, status, first_seen"
            " from quality.findings where status <> 'resolved'"
            " and (periode is null or list_contains(?, periode))"
            " order by case severity when 'error' then 0 when 'warning' then 1 else 2 end,"
            " rule_family, kode_bapas, periode",
            [list(periods)],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def _json_summary(summary: Any, findings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "as_of": summary.as_of,
        "periods": summary.periods,
        "by_severity": summary.by_severity,
        "by_family": summary.by_family,
        "changes": summary.changes.__dict__,
        "rates": [r.__dict__ for r in summary.rates if r.area == "NASIONAL"],
        "timings": summary.timings,
        "data_docs": summary.data_docs,
        "findings": findings,
    }


def _print_summary(summary: Any, findings: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 120)
    table = Table(title=f"Temuan terbuka / open findings (per {summary.as_of})")
    table.add_column("family", no_wrap=True)
    for sev in SEVERITY_STYLE:
        table.add_column(sev, justify="right", style=SEVERITY_STYLE[sev])
    families = sorted({f["rule_family"] for f in findings})
    for family in families:
        cells = [sum(1 for f in findings if f["rule_family"] == family and f["severity"] == s)
                 for s in SEVERITY_STYLE]  # fmt: skip
        table.add_row(family, *(str(c) for c in cells))
    console.print(table)
    for f in findings[:40]:
        style = SEVERITY_STYLE.get(f["severity"], "")
        console.print(
            f"[{style}]{f['severity']:<7}[/{style}] {f['kode_bapas'] or '-':<7}"
            f" {f['periode'] or '-':<7} {f['rule_id']}: {f['message_id']}\n"
            f"{'':24}EN: {f['message_en']}\n{'':24}Perbaikan/fix: {f['hint_id']}"
        )
    if len(findings) > 40:
        console.print(f"... {len(findings) - 40} lainnya / more (use --json)")
    for rate in summary.rates:
        if rate.area == "NASIONAL":
            console.print(
                f"{rate.report_kind}: reporting rate {_pct(rate.reporting_rate)},"
                f" on-time {_pct(rate.on_time_rate)}, consistent {_pct(rate.consistent_rate)}"
                f" ({rate.reported}/{rate.expected})"
            )
    if summary.data_docs:
        console.print(f"Data Docs: {summary.data_docs}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _evaluate(
    settings: Any, manifest_path: Path, as_of: dt.date | None, as_json: bool, with_gx: bool
) -> None:
    from rich.console import Console
    from rich.table import Table

    from core.duckdb_connect import open_duckdb
    from quality.runner import run_checks
    from synthetic.evaluate import evaluate, load_manifest, manifest_scope

    if not manifest_path.is_file():
        fail(
            f"manifest {manifest_path} not found (expected DIR/_manifest.json from lipas generate)"
        )
    manifest = load_manifest(manifest_path)
    scope = manifest_scope(manifest, manifest_path.parent)
    run_checks(
        settings, as_of=as_of or scope.as_of, periods=scope.months, bapas=scope.bapas,
        with_gx=with_gx,
    )  # fmt: skip
    con = open_duckdb(str(settings.warehouse_path), read_only=True)
    try:
        result = evaluate(con, manifest)
    finally:
        con.close()
    if as_json:
        payload = {
            "families": [f.__dict__ | {"recall": f.recall} for f in result.families],
            "mistakes": [m.__dict__ | {"recall": m.recall} for m in result.mistakes],
            "missed": result.missed,
            "false_alarms": result.false_alarms,
            "perfect": result.perfect,
        }
        typer.echo(json.dumps(payload, default=str, indent=1))
    else:
        table = Table(title=f"Planted vs flagged ({manifest_path})")
        for col in ("family", "planted", "detected", "recall", "fixed", "fixed_open",
                    "flagged(err+warn)", "false_alarms"):  # fmt: skip
            table.add_column(col, justify="left" if col == "family" else "right")
        for f in result.families:
            table.add_row(
                f.family, str(f.planted), str(f.detected), _pct(f.recall), str(f.fixed),
                str(f.fixed_still_open), str(f.flagged), str(f.false_alarms),
            )  # fmt: skip
        console = Console(width=140)
        console.print(table)
        per_mistake = Table(title="Recall per clerk mistake (docs/clerk-mistakes.md)")
        for col in ("mistake", "family", "planted", "detected", "recall", "rules"):
            numeric = col in ("planted", "detected", "recall")
            per_mistake.add_column(col, justify="right" if numeric else "left")
        for m in result.mistakes:
            per_mistake.add_row(m.mistake, m.family, str(m.planted), str(m.detected),
                                _pct(m.recall), ", ".join(m.rule_ids))  # fmt: skip
        console.print(per_mistake)
        for fault in result.missed:
            console.print(f"[red]missed[/red] {json.dumps(fault, default=str)}")
        for alarm in result.false_alarms:
            console.print(f"[yellow]false alarm[/yellow] {json.dumps(alarm, default=str)}")
    if not result.perfect:
        raise typer.Exit(1)
