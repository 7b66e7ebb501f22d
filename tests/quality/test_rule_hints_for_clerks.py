"""Rule hints tell a clerk what they can act on, never a place on the server (issue #15).

Regression: the REJ_FILE hint said "Perbaiki berkas sesuai laporan penolakan
(quarantine/{submission_id}/laporan_penolakan.txt)": a folder on the server a clerk never sees.
The clerk gets the receipt (tanda terima) by e-mail when the file lands, and the fix-list.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from quality.catalogue import rule

RULE_FILES = sorted((Path(__file__).resolve().parents[2] / "quality" / "rules").glob("*.yaml"))
# Server folders, report file names and commands that only mean something on the server. (A
# submission number a clerk can quote to Ditjenpas is fine.)
SERVER_ONLY = re.compile(
    r"quarantine/|laporan_penolakan|\.txt\b|reports/|var/|landing/|\blipas [a-z]"
)


def _hints() -> list[tuple[str, str]]:
    return [
        (f"{path.name}:{entry['id']}.{field}", str(entry[field]))
        for path in RULE_FILES
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", [])
        for field in ("message_id", "message_en", "hint_id", "hint_en")
        if entry.get(field)
    ]


@pytest.mark.parametrize(("where", "text"), [pytest.param(w, t, id=w) for w, t in _hints()])
def test_no_rule_text_names_a_server_path(where: str, text: str) -> None:
    assert not SERVER_ONLY.search(text), f"{where}: {text}"


def test_rejected_file_hint_names_what_the_clerk_receives() -> None:
    meta = rule("REJ_FILE")
    assert "tanda terima" in meta.hint_id and "daftar perbaikan" in meta.hint_id
    assert "receipt" in meta.hint_en and "fix-list" in meta.hint_en
