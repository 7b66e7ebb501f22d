"""Partner groups (Pokmas Lipas) of one Bapas: stable codes, PKS validity and status by month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from core.reference import Bapas, codes_of, mandated_codes
from synthetic.dates import Month, add_years
from synthetic.names import organisation_name
from synthetic.streams import rng_for

# The fields every Bapas must cover (DESIGN.md §8) are flagged is_mandated in ref_codes.csv.
ACTIVE, INACTIVE = "AKTIF", "TIDAK_AKTIF"


@dataclass(frozen=True)
class PokmasGroup:
    """One partner group with its partnership agreement (PKS)."""

    kode_pokmas: str
    nama: str
    bidang: str
    bentuk: str
    no_pks: str
    tanggal_pks: dt.date
    tanggal_berakhir_pks: dt.date
    jumlah_mitra: int
    kabupaten_kota: str

    def pks_valid(self, on: dt.date) -> bool:
        """True when the agreement is in force on a date."""
        return self.tanggal_pks <= on <= self.tanggal_berakhir_pks

    def status(self, month: Month) -> str:
        """AKTIF when the PKS covers the whole month; a group whose PKS lapsed is TIDAK_AKTIF."""
        if self.pks_valid(month.start) and self.pks_valid(month.end):
            return ACTIVE
        return INACTIVE


def check_codes() -> None:
    """Fail fast when the mandated fields or statuses are missing from the seed lists."""
    if not mandated_codes("bidang_pokmas"):
        raise ValueError("ref_codes.csv flags no bidang_pokmas code as is_mandated")
    missing = {ACTIVE, INACTIVE} - set(codes_of("status_pokmas"))
    if missing:
        raise ValueError(f"ref_codes.csv lacks Pokmas codes {sorted(missing)}")


def build_groups(bapas: Bapas, months: list[Month], seed: int, caseload: int) -> list[PokmasGroup]:
    """At least two groups (the mandated fields), more for big offices; some PKS lapse."""
    rng = rng_for(seed, bapas.kode_bapas, "pokmas")
    mandated = mandated_codes("bidang_pokmas")
    extra_fields = [c for c in codes_of("bidang_pokmas") if c not in mandated]
    n_extra = max(0, round(caseload / 450) + int(rng.integers(-1, 2)))
    fields = list(mandated) + [str(f) for f in rng.choice(extra_fields, n_extra)]
    forms = codes_of("bentuk_pokmas")
    horizon_start, horizon_end = months[0].start, months[-1].end
    groups = []
    for i, bidang in enumerate(fields, start=1):
        bentuk = str(rng.choice(forms))
        signed = horizon_start - dt.timedelta(days=int(rng.integers(60, 3 * 365)))
        if i > len(mandated) and rng.random() < 0.3:
            # Lapses somewhere between a few months before the horizon and its end.
            span = (horizon_end - horizon_start).days + 180
            ends = (
                horizon_start
                - dt.timedelta(days=180)
                + dt.timedelta(days=int(rng.integers(0, span)))
            )
            ends = max(ends, signed + dt.timedelta(days=90))
        else:
            # Mandated groups renew in time: their PKS runs past the horizon.
            ends = add_years(max(signed, horizon_end), int(rng.integers(1, 4)))
        groups.append(
            PokmasGroup(
                kode_pokmas=f"{bapas.kode_bapas}-PK{i:02d}",
                nama=organisation_name(rng, bentuk, bapas.kota.split(" (")[0]),
                bidang=bidang,
                bentuk=bentuk,
                no_pks=f"W{bapas.kode_bapas[2:4]}.PAS.{bapas.kode_bapas[4:]}-{i:02d}/PKS/"
                f"{signed.year}",
                tanggal_pks=signed,
                tanggal_berakhir_pks=ends,
                jumlah_mitra=int(np.clip(rng.poisson(5), 2, 12)),
                kabupaten_kota=bapas.kota.split(" (")[0],
            )
        )
    return groups
