"""Typed view of contract.yaml: report kinds, sheets and columns, with name normalisation."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

CONTRACT_PATH = Path(__file__).with_name("contract.yaml")

ColumnType = Literal[
    "text", "code", "codes", "integer", "rupiah", "decimal", "date", "period", "year", "nik", "yn"
]
PiiHandling = Literal["none", "pseudonymise", "drop", "generalise"]


def normalise_name(name: object) -> str:
    """Canonical form of a sheet or column header: 'No. Register ' -> 'no_register'."""
    text = str(name).strip().lower()
    text = re.sub(r"[^0-9a-z]+", "_", text)
    return text.strip("_")


class ColumnSpec(BaseModel):
    """One column of a sheet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: ColumnType
    required: bool = True
    nullable: bool = False
    code_list: str | None = None
    pii: PiiHandling = "none"
    aliases: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    # Short Bahasa label the template prints above the machine header (issue #15 item 3); also
    # accepted as a header, so a sheet whose machine-name row was deleted still reads.
    label_id: str = Field(min_length=1, max_length=40)
    description_id: str
    description_en: str

    def accepted_names(self) -> set[str]:
        """Normalised header names that map to this column (name, aliases, label)."""
        names = (self.name, *self.aliases, self.label_id)
        return {normalise_name(n) for n in names}


class SheetSpec(BaseModel):
    """One sheet (or CSV file) of a report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    single_row: bool = False
    key: tuple[str, ...] = ()
    description_id: str
    description_en: str
    columns: tuple[ColumnSpec, ...]

    def accepted_names(self) -> set[str]:
        """Normalised sheet names that map to this sheet."""
        return {normalise_name(self.name), *(normalise_name(a) for a in self.aliases)}

    def column(self, name: str) -> ColumnSpec:
        """The column called `name`; KeyError if the contract has none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def table_name(self) -> str:
        """Lower-case sheet name, used in raw table names."""
        return normalise_name(self.name)


class ReportKindSpec(BaseModel):
    """A report type: which sheets it has and which IDENTITAS column names its period."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = ""
    title_id: str
    title_en: str
    period_column: str
    period_type: Literal["period", "year"]
    calendar_report_type: str
    sheets: tuple[SheetSpec, ...] = Field(min_length=1)

    def sheet(self, name: str) -> SheetSpec:
        """The sheet called `name`; KeyError if the contract has none."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(f"{self.kind} has no sheet {name}")

    def raw_table(self, sheet: SheetSpec) -> str:
        """Name of the raw table (schema `raw`) holding this sheet, e.g. monthly_klien."""
        return f"{self.kind}_{sheet.table_name}"


class Contract(BaseModel):
    """The whole contract."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    report_kinds: dict[str, ReportKindSpec]

    def kind(self, name: str) -> ReportKindSpec:
        """The report kind called `name` (monthly, annual_plan)."""
        return self.report_kinds[name]


@lru_cache(maxsize=2)
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    """Parse and validate contract.yaml once per process."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, kind in data["report_kinds"].items():
        kind["kind"] = name
    return Contract.model_validate(data)
