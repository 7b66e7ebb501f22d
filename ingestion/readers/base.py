"""What every reader returns: named sheets of raw cell rows, loaded on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Hard limits against hostile input; generous next to a real monthly report (a few MB).
MAX_CELLS_PER_SHEET = 20_000_000
MAX_ZIP_ENTRIES = 500
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 250
RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024

Rows = list[list[object]]


@dataclass
class RawWorkbook:
    """Sheets of one submission; `load(name)` returns rows, row 0 being spreadsheet row 1."""

    file_format: str
    sheet_names: list[str]
    loader: Callable[[str], Rows]
    notes: list[str] = field(default_factory=list)

    def load(self, name: str) -> Rows:
        """Cells of sheet `name` (as listed in `sheet_names`)."""
        return self.loader(name)
