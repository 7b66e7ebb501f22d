"""Small-cell suppression for tables leaving Ditjen (DESIGN §7: outside copies hide small counts).

Primary suppression hides person counts from 1 to threshold-1 (zeros stay: a zero names nobody).
Secondary suppression hides a complementary cell wherever a hidden count could be recovered by
subtraction from a published total, and every rate built from a hidden count is hidden too.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from core.settings_registry import setting

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_THRESHOLD = 5
THRESHOLD_ENV = "LIPAS_SUPPRESSION_THRESHOLD"
# Integer columns that are labels or calendar parts, never counts of people.
NOT_COUNTS = frozenset(
    {"year_number", "quarter_number", "month_number", "month_count", "sort_order", "kelas"}
)
RATE_SUFFIXES = ("_rate", "_share")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class SuppressionSpec:
    """How to suppress one table.

    Attributes:
        count_columns: person counts subject to the threshold.
        group_by: one or more groupings; rows sharing a grouping's keys add up to a total
            published elsewhere (e.g. the
            participant and non-participant rows of one Bapas-month add up to its caseload).
        row_totals: total column -> its parts in the same row (total = sum of parts).
        rates: derived column -> the counts it is computed from; hidden when any of them is.
    """

    count_columns: tuple[str, ...]
    group_by: tuple[str, ...] | tuple[tuple[str, ...], ...] = ()
    row_totals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def suppression_threshold(environ: Mapping[str, str] | None = None) -> int:
    """The threshold from LIPAS_SUPPRESSION_THRESHOLD (default 5); must be at least 1."""
    raw = setting(THRESHOLD_ENV).raw(environ)
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{THRESHOLD_ENV} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise ValueError(f"{THRESHOLD_ENV} must be at least 1, got {value}")
    return value


def nightly_external_threshold(environ: Mapping[str, str] | None = None) -> int | None:
    """Threshold for the nightly suppressed external copy, or None when it is not wanted.

    The external copy is for sharing outside Ditjen and costs as much as the snapshot itself,
    so the nightly run makes it only when LIPAS_PUBLISH_EXTERNAL=1 (`lipas publish --external`
    makes one on demand).
    """
    if not setting("LIPAS_PUBLISH_EXTERNAL").flag(environ):
        return None
    return suppression_threshold(environ)


def infer_spec(df: pd.DataFrame) -> SuppressionSpec:
    """A conservative spec for an ad-hoc result (`lipas sql --suppress`).

    Every integer column is treated as a person count, and every `*_rate` / `*_share` / `*_per_*`
    column is hidden when any count in its row is hidden, since we cannot know its inputs.
    """
    import pandas as pd

    counts = tuple(
        str(c)
        for c in df.columns
        if pd.api.types.is_integer_dtype(df[c])
        and not pd.api.types.is_bool_dtype(df[c])
        and str(c) not in NOT_COUNTS
    )
    rates = {
        str(c): counts for c in df.columns if str(c).endswith(RATE_SUFFIXES) or "_per_" in str(c)
    }
    return SuppressionSpec(count_columns=counts, rates=rates)


def suppress_small_cells(
    df: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int | None = None,
    *,
    group_by: Sequence[str] | Sequence[Sequence[str]] = (),
    row_totals: Mapping[str, Sequence[str]] | None = None,
    rates: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Return a copy of `df` with small counts and the cells that would reveal them masked (NA).

    Args:
        df: the table to publish.
        count_columns: person counts; values 1..threshold-1 are hidden (primary suppression).
        threshold: smallest count shown; None reads LIPAS_SUPPRESSION_THRESHOLD (default 5).
        group_by: key columns, or several lists of them (one per grouping): rows with equal
            keys add up to a published total, so when exactly one cell of a count column is
            hidden in such a group, the next smallest cell is hidden too.
        row_totals: total column -> parts in the same row; when exactly one part is hidden the
            next smallest part is hidden too (or the total, when there is no other part).
        rates: derived column -> counts it is computed from; hidden when any input is hidden.
    """
    import pandas as pd

    limit = suppression_threshold() if threshold is None else threshold
    columns = [c for c in count_columns if c in df.columns]
    out = df.copy()
    values = {c: pd.to_numeric(out[c], errors="coerce") for c in columns}
    hidden = pd.DataFrame(
        {c: values[c].notna() & (values[c] > 0) & (values[c] < limit) for c in columns},
        index=out.index,
    )
    totals = {t: [p for p in parts if p in hidden] for t, parts in (row_totals or {}).items()}
    totals = {t: parts for t, parts in totals.items() if t in hidden and parts}
    groupings = _groupings(group_by, out.columns)
    # Hiding a complement can expose another group or row total, so repeat until stable.
    changed = True
    while changed:
        changed = _protect_row_totals(hidden, values, totals)
        for keys in groupings:
            changed = _protect_groups(hidden, values, out, keys) or changed
    for column in columns:
        out[column] = out[column].astype("Int64").mask(hidden[column])
    for rate, inputs in (rates or {}).items():
        sources = [c for c in inputs if c in hidden]
        if rate in out.columns and sources:
            out[rate] = out[rate].mask(hidden[sources].any(axis=1))
    return out


def _groupings(
    group_by: Sequence[str] | Sequence[Sequence[str]], columns: pd.Index
) -> list[list[str]]:
    """Normalise `group_by` to a list of key lists, dropping keys the frame lacks."""
    if not group_by:
        return []
    raw: list[Sequence[str]] = (
        [[str(k) for k in group_by]]
        if all(isinstance(k, str) for k in group_by)
        else [keys for keys in group_by if not isinstance(keys, str)]
    )
    present = set(columns)
    groupings = [[str(k) for k in keys if k in present] for keys in raw]
    return [keys for keys in groupings if keys]


def _next_smallest(candidates: Mapping[K, float]) -> K | None:
    """The smallest positive cell (a hidden zero protects nothing), else the smallest cell."""
    if not candidates:
        return None
    positive = {k: v for k, v in candidates.items() if v > 0}
    pool = positive or candidates
    return min(pool, key=lambda k: pool[k])


def _protect_row_totals(
    hidden: pd.DataFrame, values: dict[str, pd.Series], totals: dict[str, list[str]]
) -> bool:
    import pandas as pd

    changed = False
    for total, parts in totals.items():
        for idx in hidden.index[hidden[parts].sum(axis=1) == 1]:
            if hidden.at[idx, total]:
                continue
            shown = {
                p: float(values[p][idx])
                for p in parts
                if not hidden.at[idx, p] and not pd.isna(values[p][idx])
            }
            pick = _next_smallest(shown)
            hidden.at[idx, pick if pick is not None else total] = True
            changed = True
    return changed


def _protect_groups(
    hidden: pd.DataFrame, values: dict[str, pd.Series], frame: pd.DataFrame, keys: list[str]
) -> bool:
    import pandas as pd

    changed = False
    for index in frame.groupby(keys, dropna=False, sort=False).groups.values():
        if len(index) < 2:
            continue
        for column in hidden.columns:
            if int(hidden.loc[index, column].sum()) != 1:
                continue
            shown = {
                i: float(values[column][i])
                for i in index
                if not hidden.at[i, column] and not pd.isna(values[column][i])
            }
            pick = _next_smallest(shown)
            if pick is not None:
                hidden.at[pick, column] = True
                changed = True
    return changed
