"""The template printed by LibreOffice itself (issue #15 item 3, print proof).

Regression: LibreOffice printed the template as 18 pages, the PETUNJUK text cut at the right
edge, the code list overprinting itself and the data sheets split 3-4 columns per page. The
template is converted to PDF with `soffice --headless --convert-to pdf` and measured with
poppler (`pdfinfo`, `pdftotext`); pages are rendered to tests/artifacts/ for a look by eye.
`.ci/run` installs libreoffice-calc-nogui and poppler-utils.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.contract.doc_text import instruction_lines
from core.contract.template import build_template, resolve_bapas, resolve_target, template_sheets

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not all(shutil.which(t) for t in ("soffice", "pdfinfo", "pdftotext", "pdftoppm")),
        reason="needs LibreOffice (libreoffice-calc-nogui) and poppler-utils (.ci/run installs)",
    ),
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
KODE, PERIOD = "BP3501", "2025-03"  # runs a Griya Abhipraya: every monthly sheet is present
# PETUNJUK takes two landscape pages, each of the six data sheets one (blank template).
MAX_PAGES = 9
A4_LANDSCAPE = (841.89, 595.30)  # points


def _run(args: list[str], timeout: int = 180) -> str:
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout)
    return done.stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The monthly template as LibreOffice prints it (PDF)."""
    work = tmp_path_factory.mktemp("lo")
    xlsx = build_template(KODE, PERIOD, work / "templat.xlsx")
    # A private profile: parallel soffice runs sharing ~/.config lock each other out.
    _run(
        [
            "soffice",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(xlsx),
        ]
    )
    pdf = work / "templat.pdf"
    assert pdf.is_file()
    return pdf


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = _run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)])
    return [
        (float(w), float(h))
        for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    ]


def _page_texts(pdf: Path) -> list[str]:
    return _run(["pdftotext", "-layout", str(pdf), "-"]).split("\f")


def test_few_pages_all_a4_landscape(printed: Path) -> None:
    sizes = _page_sizes(printed)
    target = resolve_target(PERIOD)
    sheets = template_sheets(resolve_bapas(KODE, target), target)
    # At least one page per data sheet plus PETUNJUK, and no more than a handful beyond.
    assert len(sheets) + 1 <= len(sizes) <= MAX_PAGES, sizes
    for width, height in sizes:
        assert width > height, "a portrait page"
        assert abs(width - A4_LANDSCAPE[0]) < 1 and abs(height - A4_LANDSCAPE[1]) < 1


def test_every_data_sheet_prints_one_page_wide_with_both_header_rows(printed: Path) -> None:
    """Each sheet's machine names and label words all land on one page: no column split off.

    Words, not whole labels: a label wraps onto two lines in a narrow column.
    """
    pages = [set(p.split()) for p in _page_texts(printed)]
    target = resolve_target(PERIOD)
    for sheet in template_sheets(resolve_bapas(KODE, target), target):
        wanted = {c.name for c in sheet.columns}
        wanted |= {w for c in sheet.columns for w in c.label_id.split()}
        assert any(wanted <= page for page in pages), sheet.name


def test_instructions_are_not_cut_at_the_right_edge(printed: Path) -> None:
    """Every PETUNJUK line's last word is printed whole (cut text loses the line's end)."""
    text = " ".join(" ".join(_page_texts(printed)).split())
    target = resolve_target(PERIOD)
    bapas = resolve_bapas(KODE, target)
    lines = instruction_lines(
        bapas, target.kind, PERIOD, target.deadline, template_sheets(bapas, target)
    )
    endings = [line.split()[-1] for line in lines if line.strip()]
    missing = [word for word in endings if word not in text]
    assert not missing, missing
    assert "Batas waktu pengiriman: 10 April 2025" in text


def test_pages_rendered_for_a_look(printed: Path, tmp_path: Path) -> None:
    """Pages 1-2 (PETUNJUK) and the KLIEN page as PNG under tests/artifacts/."""
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    klien = next(
        i for i, p in enumerate(_page_texts(printed), start=1) if "tindak_pidana_baru" in p
    )
    for page, name in (
        (1, "template_page1.png"),
        (2, "template_page2.png"),
        (klien, "template_page_klien.png"),
    ):
        stem = tmp_path / f"p{page}"
        _run(
            [
                "pdftoppm",
                "-r",
                "100",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                "-png",
                str(printed),
                str(stem),
            ]
        )
        shutil.copy(stem.with_suffix(".png"), ARTIFACTS / name)
        with Image.open(ARTIFACTS / name) as image:
            assert image.width > image.height  # landscape
            colours = image.convert("L").getextrema()
            assert colours[0] < 100 < colours[1], f"{name} is blank"
