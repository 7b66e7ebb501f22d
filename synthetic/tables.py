"""Column-oriented sheet tables whose column order and names come from the contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.contract.model import ColumnSpec, SheetSpec, load_contract

MONTHLY, ANNUAL = "monthly", "annual_plan"


def sheet_spec(kind: str, sheet: str) -> SheetSpec:
    """The contract's spec of one sheet."""
    return load_contract().kind(kind).sheet(sheet)


@dataclass
class Table:
    """One sheet's data: a list of values per contract column (None = empty cell)."""

    kind: str
    sheet: str
    data: dict[str, list[Any]]
    # Column names dropped by a fault (missing_column); writers skip them.
    dropped: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, kind: str, sheet: str, data: dict[str, list[Any]]) -> Table:
        """Check that `data` has exactly the contract's columns, all of one length."""
        spec = sheet_spec(kind, sheet)
        expected = [c.name for c in spec.columns]
        if sorted(data) != sorted(expected):
            raise ValueError(f"{kind}.{sheet}: columns {sorted(data)} != contract {expected}")
        lengths = {len(v) for v in data.values()}
        if len(lengths) > 1:
            raise ValueError(f"{kind}.{sheet}: columns differ in length {lengths}")
        return cls(kind, sheet, {name: list(data[name]) for name in expected})

    @property
    def spec(self) -> SheetSpec:
        """The contract spec of this sheet."""
        return sheet_spec(self.kind, self.sheet)

    @property
    def columns(self) -> list[ColumnSpec]:
        """Contract columns that are written (in contract order)."""
        return [c for c in self.spec.columns if c.name not in self.dropped]

    def __len__(self) -> int:
        return len(next(iter(self.data.values()))) if self.data else 0

    def rows(self) -> list[tuple[Any, ...]]:
        """Row tuples in written-column order."""
        return list(zip(*(self.data[c.name] for c in self.columns), strict=True))

    def append_row(self, values: dict[str, Any]) -> int:
        """Append one row (missing columns empty) and return its data index."""
        for name, column in self.data.items():
            column.append(values.get(name))
        return len(self) - 1

    def delete_row(self, index: int) -> None:
        """Remove one row."""
        for column in self.data.values():
            del column[index]

    def copy(self) -> Table:
        """A deep-enough copy (new lists) so faults never leak into another file."""
        return Table(
            self.kind, self.sheet, {k: list(v) for k, v in self.data.items()}, set(self.dropped)
        )


@dataclass
class Report:
    """All sheets of one submission, in contract order (missing_sheet faults drop one)."""

    kind: str
    kode_bapas: str
    period: str
    tables: dict[str, Table]

    def copy(self) -> Report:
        """Independent copy (used for resubmissions: the clean version of a faulty file)."""
        return Report(
            self.kind, self.kode_bapas, self.period, {k: t.copy() for k, t in self.tables.items()}
        )

    def row_counts(self) -> dict[str, int]:
        """Rows per sheet."""
        return {name: len(table) for name, table in self.tables.items()}
