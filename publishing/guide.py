"""Keeps the table reference of docs/analyst-guide.md in step with the dbt docs.

The guide is hand-written except for the block between the two markers below, which is rendered
from `target/manifest.json`, so a column documented in dbt is documented for analysts too.
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.settings import PROJECT_ROOT
from publishing.catalog import TableDoc, load_table_docs

logger = logging.getLogger(__name__)

GUIDE_PATH = PROJECT_ROOT / "docs" / "analyst-guide.md"
BEGIN = "<!-- BEGIN GENERATED TABLE REFERENCE (lipas analyst-guide) -->"
END = "<!-- END GENERATED TABLE REFERENCE -->"
# Core tables first (what a question is built from), then the indicator marts, then the rest.
ORDER = ("dim_", "fct_", "mart_", "rpt_")


class GuideOutOfDateError(RuntimeError):
    """The generated part of the guide differs from the dbt docs."""


def render_table_reference(docs: dict[tuple[str, str], TableDoc]) -> str:
    """Markdown for every published mart: description (grain, caveats) and its columns."""
    marts = sorted(
        (d for d in docs.values() if d.schema == "marts"),
        key=lambda d: (_rank(d.name), d.name),
    )
    if not marts:
        return "_No mart is documented in the dbt manifest yet: run `dbt parse`._\n"
    lines: list[str] = []
    for doc in marts:
        lines += [f"### `marts.{doc.name}`", ""]
        lines += [_one_paragraph(doc.description) or "_Not documented yet._", ""]
        if doc.columns:
            lines += ["| column | type | meaning |", "|---|---|---|"]
            for column, text in doc.columns.items():
                kind = doc.column_types.get(column, "")
                lines.append(f"| `{column}` | {kind} | {_cell(text)} |")
            lines.append("")
        lines += [f"Defined in `dbt_project/{doc.path}`." if doc.path else "", ""]
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"


def update_guide(
    guide: Path | None = None, manifest_path: Path | None = None, *, check: bool = False
) -> bool:
    """Rewrite the generated block of the guide; returns True when it changed.

    Raises:
        GuideOutOfDateError: with `check`, when the guide is not up to date (for CI).
        ValueError: the markers are missing from the guide.
    """
    path = guide or GUIDE_PATH
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{path} lacks the generated-section markers {BEGIN!r} / {END!r}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    body = render_table_reference(load_table_docs(manifest_path))
    updated = f"{head}{BEGIN}\n\n{body}\n{END}{tail}"
    if updated == text:
        return False
    if check:
        raise GuideOutOfDateError(f"{path} is out of date: run `lipas analyst-guide`")
    path.write_text(updated, encoding="utf-8")
    logger.info("updated the table reference in %s", path)
    return True


def _rank(name: str) -> int:
    for index, prefix in enumerate(ORDER):
        if name.startswith(prefix):
            return index
    return len(ORDER)


def _one_paragraph(text: str) -> str:
    # Angle brackets (`<province>`) would be read as HTML tags and vanish from the page.
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _one_paragraph(text).replace("|", "\\|")
