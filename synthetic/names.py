"""Small built-in lists of plausible Indonesian personal and organisation names."""

from __future__ import annotations

import numpy as np

MALE_GIVEN: tuple[str, ...] = (
    "Agus",
    "Ahmad",
    "Andi",
    "Arif",
    "Bambang",
    "Budi",
    "Dedi",
    "Dimas",
    "Eko",
    "Fajar",
    "Faisal",
    "Hadi",
    "Hendra",
    "Ilham",
    "Imam",
    "Joko",
    "Kurniawan",
    "Made",
    "Muhammad",
    "Nyoman",
    "Putu",
    "Rahmat",
    "Reza",
    "Rizki",
    "Slamet",
    "Sugeng",
    "Teguh",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Irfan",
    "Ketut",
    "Asep",
    "Ujang",
    "Daniel",
    "Yohanes",
    "La Ode",
    "Hamzah",
)
FEMALE_GIVEN: tuple[str, ...] = (
    "Ani",
    "Ayu",
    "Dewi",
    "Dian",
    "Fitri",
    "Indah",
    "Kartika",
    "Lestari",
    "Maya",
    "Nur",
    "Nurul",
    "Putri",
    "Rina",
    "Sari",
    "Siti",
    "Sri",
    "Wulan",
    "Yuni",
    "Ratna",
    "Ni Luh",
    "Maria",
    "Kadek",
    "Nining",
    "Eka",
    "Rahayu",
    "Aisyah",
    "Fatimah",
    "Yohana",
)
FAMILY: tuple[str, ...] = (
    "Saputra",
    "Santoso",
    "Wijaya",
    "Setiawan",
    "Hidayat",
    "Nasution",
    "Siregar",
    "Lubis",
    "Harahap",
    "Pratama",
    "Susanto",
    "Gunawan",
    "Kusuma",
    "Halim",
    "Simanjuntak",
    "Sitompul",
    "Rangkuti",
    "Hasibuan",
    "Purba",
    "Manurung",
    "Ginting",
    "Tarigan",
    "Sembiring",
    "Pohan",
    "Syahputra",
    "Ramadhan",
    "Firmansyah",
    "Hakim",
    "Maulana",
    "Nugroho",
    "Wibowo",
    "Utomo",
    "Permana",
    "Suryadi",
    "Situmorang",
    "Pangaribuan",
    "Lumbantobing",
    "Mahendra",
    "Rusdi",
    "Daeng",
    "Tanjung",
    "Pattiasina",
    "Wenda",
    "Mandacan",
    "Pardede",
    "Salim",
)
ORG_WORDS: tuple[str, ...] = (
    "Bina",
    "Insan",
    "Mandiri",
    "Sejahtera",
    "Harapan",
    "Bangsa",
    "Karya",
    "Bakti",
    "Peduli",
    "Cahaya",
    "Amanah",
    "Nurul",
    "Iman",
    "Sinar",
    "Kasih",
    "Berkah",
    "Maju",
    "Bersama",
    "Lestari",
    "Hati",
    "Nusantara",
    "Pelita",
    "Rahmah",
    "Sentosa",
    "Citra",
    "Mulia",
)
ORG_PREFIX: dict[str, str] = {
    "YAYASAN": "Yayasan",
    "PERUSAHAAN": "PT",
    "PESANTREN": "Pondok Pesantren",
    "ORMAS": "Perkumpulan",
    "KOPERASI": "Koperasi",
    "LEMBAGA_PENDIDIKAN": "LKP",
    "INSTANSI_PEMDA": "Dinas Sosial",
    "PERORANGAN": "Kelompok Usaha",
}


def person_names(rng: np.random.Generator, female: np.ndarray) -> list[str]:
    """One 'Given Family' name per person, matching the sex flag (True = female)."""
    n = len(female)
    male_pick = rng.integers(0, len(MALE_GIVEN), n)
    female_pick = rng.integers(0, len(FEMALE_GIVEN), n)
    family_pick = rng.integers(0, len(FAMILY), n)
    single = rng.random(n) < 0.12  # many Indonesians have a single name
    out = []
    for is_f, m, f, fam, one in zip(
        female, male_pick, female_pick, family_pick, single, strict=True
    ):
        given = FEMALE_GIVEN[f] if is_f else MALE_GIVEN[m]
        out.append(given if one else f"{given} {FAMILY[fam]}")
    return out


def organisation_name(rng: np.random.Generator, bentuk: str, city: str) -> str:
    """A plausible partner-group name for a legal form; some carry an en dash (non-ASCII)."""
    words = rng.choice(len(ORG_WORDS), 2, replace=False)
    core = f"{ORG_WORDS[words[0]]} {ORG_WORDS[words[1]]}"
    prefix = ORG_PREFIX.get(bentuk, "Kelompok")
    if bentuk == "INSTANSI_PEMDA":
        return f"{prefix} {city}"
    if rng.random() < 0.25:
        # The en dash is outside ASCII: Windows-1252 CSVs then differ from UTF-8 ones.
        return f"{prefix} {core} – {city}"
    return f"{prefix} {core}"
