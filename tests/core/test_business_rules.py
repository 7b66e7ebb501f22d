"""Business rules attached to codes live in the reference seeds, not in SQL or Python (issue 13).

Which Pokmas fields are mandated used to be typed in dim_pokmas, twice in
mart_pokmas_performance and in the generator; now ref_codes.is_mandated says it once.
"""

from __future__ import annotations

import re

from core.reference import codes_of, mandated_codes
from core.settings import PROJECT_ROOT

# Where a rule could be typed again: dbt SQL and the Python packages (docs and tests may quote).
CODE_DIRS = ("dbt_project/models", "dbt_project/macros", "core", "ingestion", "quality",
             "synthetic", "publishing", "orchestration", "cli")  # fmt: skip


def test_mandated_pokmas_fields_come_from_the_seed() -> None:
    mandated = mandated_codes("bidang_pokmas")
    assert mandated == ("HUKUM_KEMASYARAKATAN", "KEMANDIRIAN_KEPRIBADIAN")
    assert set(mandated) <= set(codes_of("bidang_pokmas"))
    assert mandated_codes("kebutuhan") == ()


def test_no_code_or_model_types_the_mandated_fields() -> None:
    pattern = re.compile("|".join(re.escape(code) for code in mandated_codes("bidang_pokmas")))
    typed = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in CODE_DIRS
        for path in sorted((PROJECT_ROOT / folder).rglob("*"))
        if path.suffix in (".sql", ".py", ".yaml") and pattern.search(path.read_text("utf-8"))
    ]
    assert typed == [], f"read ref_codes.is_mandated instead of typing the codes: {typed}"
