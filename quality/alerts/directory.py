"""Display names of Bapas and Kanwil, from the reference seeds (kept as data, not code)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.reference import load_bapas, load_kanwil


@dataclass(frozen=True)
class Directory:
    """Names by code; unknown codes fall back to the code itself so nothing is ever hidden."""

    bapas: dict[str, str] = field(default_factory=dict)
    bapas_kanwil: dict[str, str] = field(default_factory=dict)
    kanwil: dict[str, str] = field(default_factory=dict)

    def bapas_name(self, kode: str | None) -> str:
        """'Bapas Kelas I Medan' for 'BP1201'."""
        return self.bapas.get(kode or "", kode or "?")

    def kanwil_name(self, kode: str | None) -> str:
        """Province name used as the short Kanwil label ('Sumatera Utara')."""
        return self.kanwil.get(kode or "", kode or "?")

    def kanwil_of(self, kode_bapas: str | None, fallback: str = "") -> str:
        """The Kanwil a Bapas reports to, per the reference list."""
        return self.bapas_kanwil.get(kode_bapas or "", fallback)


def load_directory() -> Directory:
    """Build the directory from dbt_project/seeds (ref_bapas, ref_kanwil)."""
    return Directory(
        bapas={b.kode_bapas: b.nama_resmi for b in load_bapas()},
        bapas_kanwil={b.kode_bapas: b.kode_kanwil for b in load_bapas()},
        kanwil={k.kode_kanwil: k.provinsi_induk for k in load_kanwil()},
    )
