"""Blank forms promised to a Bapas: by fix-lists (resend a file) and by notices (report owed).

A clerk cannot run `lipas template` on our server, so a message that asks for a report brings
the form itself (attached, IDENTITAS prefilled, `versi` raised) or a link the recipients file
configures (`template_url` with {kode}, {periode} or {period}, and {versi}).
"""

from __future__ import annotations

import logging
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


def blank_form_files(kode_bapas: str, forms: tuple[BlankForm, ...]) -> dict[str, bytes]:
    """The forms a fix-list or notice promises as attachments (none when a link is configured).

    Built with the template generator, IDENTITAS prefilled with the Bapas, period and the
    raised `versi`; a form that cannot be built (Bapas closed since) is left out and logged.
    """
    from core.contract.template import TemplateError, build_template  # openpyxl: only when due

    out: dict[str, bytes] = {}
    attached = [f for f in forms if not f.link]
    if not attached:
        return out
    with tempfile.TemporaryDirectory(prefix="lipas-form-") as tmp:
        for form in attached:
            target = Path(tmp) / form.file_name
            try:
                build_template(kode_bapas, form.period, target, versi=form.versi)
            except TemplateError as exc:
                logger.warning("no blank form for %s %s: %s", kode_bapas, form.period, exc)
                continue
            out[form.file_name] = target.read_bytes()
    return out
