"""Best-effort owner of a rejected file whose ledger row has no Bapas (work-around, see below).

Ingestion leaves kode_bapas/periode NULL on most rejections, even when the sender's identity
is plain from the template's file name. Without an owner the Bapas never gets its fix-list, so we
read the generated layout `<KODE>/<YYYY-MM>/laporan_bulanan_<KODE>_<YYYY-MM>.xlsx` (or the file
name alone). Only a code present in the reference list is accepted; the fix-list says the owner
was inferred from the file name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from quality.alerts.model import Rejection

_NAME_RE = re.compile(
    r"(?P<kind>laporan_bulanan|rencana_tahunan)_(?P<kode>[A-Z]{2}\d{4,})_(?P<periode>\d{4}(?:-\d{2})?)"
)
_PATH_RE = re.compile(r"(?:^|/)(?P<kode>[A-Z]{2}\d{4,})/(?P<periode>\d{4}(?:-\d{2})?)/")
_KINDS = {"laporan_bulanan": "monthly", "rencana_tahunan": "annual_plan"}


def infer_owner(rejection: Rejection, original_path: str, known: Collection[str]) -> Rejection:
    """Fill kode_bapas/periode/report_kind from the path or name when the ledger has none."""
    if rejection.kode_bapas:
        return rejection
    name = _NAME_RE.search(rejection.original_name) or _NAME_RE.search(original_path)
    path = _PATH_RE.search(original_path.replace("\\", "/"))
    kode = name.group("kode") if name else path.group("kode") if path else None
    if kode is None or kode not in known:
        return rejection
    period = name.group("periode") if name else path.group("periode") if path else None
    kind = (
        _KINDS[name.group("kind")] if name else "monthly" if period and len(period) == 7 else None
    )
    return replace(
        rejection,
        kode_bapas=kode,
        period=rejection.period or period,
        report_kind=rejection.report_kind or kind,
        owner_inferred=True,
    )
