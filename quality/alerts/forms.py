"""Blank forms promised to a Bapas: by fix-lists (resend a file) and by notices (report owed).

A clerk cannot run `lipas template` on our server, so a message that asks for a report brings
the form itself (attached, IDENTITAS prefilled, `versi` raised) or a link the recipients file
configures (`template_url` with {kode}, {periode} or {period}, and {versi}).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlankForm:
    """A blank form for one period, `versi` already raised; attached, or `link` when set."""

    period: str
    versi: int
    file_name: str
    link: str | None = None


def blank_forms(
    kode_bapas: str,
    periods: set[str],
    versi: dict[tuple[str, str], int],
    template_url: str | None = None,
) -> tuple[BlankForm, ...]:
    """One blank form per period to (re)send, `versi` one above the highest the ledger holds.

    Regression (issue #15 item 2): fix-lists and notices ended with `lipas template --bapas ...`,
    a server command a clerk cannot run; the form is now attached (or linked when configured).
    """
    forms = []
    for period in sorted(p for p in periods if len(p) in (4, 7)):
        stem = "rencana_tahunan" if len(period) == 4 else "laporan_bulanan"
        next_versi = versi.get((kode_bapas, period), 0) + 1
        forms.append(
            BlankForm(
                period=period,
                versi=next_versi,
                file_name=f"{stem}_{kode_bapas}_{period}_versi{next_versi}.xlsx",
                link=(
                    template_url.format(
                        kode=kode_bapas, periode=period, period=period, versi=next_versi
                    )
                    if template_url
                    else None
                ),
            )
        )
    return tuple(forms)


def blank_form_files(
    kode_bapas: str, forms: tuple[BlankForm, ...], cache_dir: Path | None = None
) -> dict[str, bytes]:
    """The forms a fix-list or notice promises as attachments (none when a link is configured).

    Built with the template generator, IDENTITAS prefilled with the Bapas, period and the
    raised `versi`; a form that cannot be built (Bapas closed since) is left out and logged.
    With `cache_dir` (LIPAS_HOME/cache/forms) a form is built once and reused: the template is
    deterministic, and a night's fix-lists and notices re-attach the same forms night after
    night (issue 16: ~1,000 workbooks, most of the alert step, at national size).
    """
    from core.contract.template import TemplateError, build_template  # openpyxl: only when due

    out: dict[str, bytes] = {}
    attached = [f for f in forms if not f.link]
    if not attached:
        return out
    cache = _cache_folder(cache_dir) if cache_dir is not None else None
    with tempfile.TemporaryDirectory(prefix="lipas-form-") as tmp:
        for form in attached:
            cached = cache / form.file_name if cache is not None else None
            if cached is not None and cached.is_file():
                out[form.file_name] = cached.read_bytes()
                continue
            target = Path(tmp) / form.file_name
            try:
                build_template(kode_bapas, form.period, target, versi=form.versi)
            except TemplateError as exc:
                logger.warning("no blank form for %s %s: %s", kode_bapas, form.period, exc)
                continue
            out[form.file_name] = target.read_bytes()
            if cached is not None:
                _keep(target, cached)
    return out


def _keep(built: Path, cached: Path) -> None:
    """Move a built form into the cache (atomically: a reader never sees half a workbook)."""
    try:
        partial = cached.with_name(f".{cached.name}.{os.getpid()}.partial")
        shutil.move(built, partial)
        partial.replace(cached)
    except OSError as exc:  # a read-only or full disk costs speed, never the notice
        logger.warning("blank form cache not written (%s): %s", cached, exc)


def _cache_folder(cache_dir: Path) -> Path:
    """This code's folder under `cache_dir`; folders of an earlier contract or seed are removed.

    A form depends on the contract, the seeds (Bapas, code lists, calendar), the template code
    and xlsxwriter: all are in the folder's name, so a changed one never serves a stale form.
    """
    folder = cache_dir / _template_fingerprint()
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in cache_dir.iterdir():
                if old.is_dir() and old != folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            logger.warning("blank form cache unavailable (%s): %s", cache_dir, exc)
    return folder


@functools.cache
def _template_fingerprint() -> str:
    """sha256 (16 hex digits) over everything build_template reads, and xlsxwriter's version."""
    import xlsxwriter

    import core.contract.template as template
    import core.period
    import core.reference
    from core.settings import SEEDS_DIR

    contract = Path(template.__file__).parent
    files = [*sorted(contract.glob("*.py")), *sorted(contract.glob("*.yaml"))]
    files += [Path(core.period.__file__), Path(core.reference.__file__)]
    files += sorted(SEEDS_DIR.glob("*.csv"))
    digest = hashlib.sha256(str(xlsxwriter.__version__).encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
