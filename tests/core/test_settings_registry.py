"""The settings registry: one declaration per variable, generated docs current, no stray reads."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, ConfigurationError, load_settings
from core.settings_doc import (
    BEGIN,
    END,
    render_env_example,
    render_readme_section,
    splice_readme,
    stale_files,
)
from core.settings_registry import (
    SECTIONS,
    SETTINGS,
    declared_names,
    environ_for_child_process,
    setting,
)

PACKAGES = ("core", "ingestion", "quality", "synthetic", "publishing", "orchestration", "cli")
# The registry itself is the one place that reads (and, scoped, writes) os.environ.
REGISTRY_FILES = frozenset({"core/settings_types.py", "core/settings_registry.py"})
# Outside the registry, os.environ may only be copied whole into a child process's own
# environment: `{**os.environ, ...}` or `dict(os.environ ...)`. Each file doing so, and why.
CHILD_ENV_COPIES = {
    "orchestration/dbt_invocation.py": "dbt_env: the dbt subprocess's environment dict",
    "orchestration/defs/dbt_assets.py": "`dbt parse` subprocess when the manifest is missing",
    "cli/nightly_cmd.py": "`lipas ui`: DAGSTER_HOME and LIPAS_HOME for the execve'd dagster",
}
# Text that names variables: code, dbt, deploy files and docs. Every LIPAS_ name must be declared.
NAMED_IN = (
    *PACKAGES,
    "dbt_project/models",
    "dbt_project/macros",
    "dbt_project/profiles.yml",
    "deploy",
    "docs",
    "README.md",
    "Makefile",
)
TEXT_SUFFIXES = ("", ".py", ".md", ".yml", ".yaml", ".sql", ".example", ".service")
ENVIRON_API = ("environ", "getenv", "putenv", "unsetenv")
LIPAS_NAME = re.compile(r"\bLIPAS_[A-Z0-9_]*[A-Z0-9]\b")


def _python_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (PROJECT_ROOT / pkg).rglob("*.py"))


def environ_uses(source: str) -> list[tuple[int, str]]:
    """(line, problem) for every use of the process environment that is not a child-env copy.

    Direct reads (`os.environ.get`, `os.environ[...]`, `os.getenv`), writes (`os.environ[...] =`,
    `.update`, `.setdefault`, `os.putenv`) and Dagster `EnvVar(...)` all count; only whole
    copies into a new dict (a child process's environment) are not problems.
    """
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id != "os" or node.attr not in ENVIRON_API:
                continue
            if node.attr == "environ" and _copied_whole(node, parents):
                continue
            problems.append((node.lineno, f"os.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            problems.extend(
                (node.lineno, f"from os import {alias.name}")
                for alias in node.names
                if alias.name in ENVIRON_API
            )
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "EnvVar":
                problems.append((node.lineno, "EnvVar(...)"))
    return sorted(problems)


def copies_environ(source: str) -> bool:
    """True when the code (not its comments or docstrings) uses os.environ at all."""
    return any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (node.value.id, node.attr) == ("os", "environ")
        for node in ast.walk(ast.parse(source))
    )


def _copied_whole(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    if isinstance(parent, ast.IfExp) and node is not parent.test:
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Dict):
        return any(k is None and v is node for k, v in zip(parent.keys, parent.values, strict=True))
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and parent.func.id == "dict"
        and bool(parent.args)
        and parent.args[0] is node
    )


def lipas_lookups(source: str) -> list[tuple[int, str]]:
    """(line, name) of mapping reads of a LIPAS_ variable: `env.get("LIPAS_X")`, `env["LIPAS_X"]`.

    Writes into a child's environment dict (`env["LIPAS_X"] = ...`) are not reads.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("get", "pop") and node.args:
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            if key.value.startswith("LIPAS_"):
                found.append((key.lineno, key.value))
    return found


def test_names_are_unique_and_sections_known() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert {s.section for s in SETTINGS} <= set(SECTIONS)
    for item in SETTINGS:
        assert item.meaning and item.read_by, item.name
        assert (item.kind == "choice") == bool(item.choices), item.name
        assert item.default or item.shown_default or item.kind in ("secret", "path", "text"), (
            f"{item.name}: an unset default must say what happens (shown_default)"
        )


def test_readme_and_env_example_are_generated_from_the_registry() -> None:
    """Fails when a setting was added or changed without `python -m core.settings_doc`."""
    assert stale_files() == [], "run `.venv/bin/python -m core.settings_doc`"


def test_stale_files_notices_a_hand_edit(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    env = tmp_path / ".env.example"
    readme.write_text(f"# x\n\n{render_readme_section()}\n## next\n", encoding="utf-8")
    env.write_text(render_env_example(), encoding="utf-8")
    assert stale_files(readme, env) == []
    env.write_text(render_env_example().replace("LIPAS_MAX_FILE_MB=50", "LIPAS_MAX_FILE_MB=5"))
    readme.write_text(readme.read_text().replace("`LIPAS_HOME`", "`LIPAS_HOMES`"))
    assert stale_files(readme, env) == [readme, env]
    with pytest.raises(ValueError, match="no generated settings section"):
        splice_readme("# no markers\n", render_readme_section())


def test_env_example_lists_every_operator_setting_once() -> None:
    lines = render_env_example().splitlines()
    listed = [line.lstrip("# ").split("=", 1)[0] for line in lines if "=" in line]
    expected = [s.name for s in SETTINGS if s.env_file != "omit"]
    assert sorted(listed) == sorted(expected)
    section = render_readme_section()
    assert section.startswith(BEGIN) and section.rstrip().endswith(END)
    assert all(f"| `{s.name}` |" in section for s in SETTINGS)


def test_declared_defaults_are_what_the_readers_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's defaults are the code's: every reader, given an empty environment."""
    monkeypatch.delenv("LIPAS_NIGHTLY_CRON", raising=False)
    from orchestration.defs.schedules import nightly_cron
    from publishing.postgres import pg_connect_kwargs
    from publishing.suppression import nightly_external_threshold, suppression_threshold
    from quality.alerts.config import load_mail_config
    from quality.config import QualityConfig, env_documentation, load_quality_config

    empty: dict[str, str] = {}
    settings = load_settings(empty)
    assert settings.home == Path(setting("LIPAS_HOME").default).resolve()
    assert settings.max_file_bytes == int(float(setting("LIPAS_MAX_FILE_MB").default) * 2**20)
    assert settings.max_rows_per_sheet == int(setting("LIPAS_MAX_ROWS_PER_SHEET").default)
    assert settings.dbt_target == setting("LIPAS_DBT_TARGET").default
    quality = load_quality_config(empty)
    assert quality == QualityConfig()
    for var, default in env_documentation():
        assert float(default) == float(setting(var).default), var
    mail = load_mail_config(empty)
    assert mail.security == setting("LIPAS_SMTP_SECURITY").default
    assert mail.sender == setting("LIPAS_MAIL_FROM").default
    assert mail.timeout_seconds == float(setting("LIPAS_SMTP_TIMEOUT_SECONDS").default)
    assert mail.retries == int(setting("LIPAS_SMTP_RETRIES").default)
    assert mail.backoff_seconds == float(setting("LIPAS_SMTP_BACKOFF_SECONDS").default)
    assert mail.reminder_days == int(setting("LIPAS_REMINDER_DAYS").default)
    assert suppression_threshold(empty) == int(setting("LIPAS_SUPPRESSION_THRESHOLD").default)
    assert nightly_external_threshold(empty) is None
    pg = pg_connect_kwargs(empty)
    for key in ("host", "port", "user", "password", "dbname"):
        assert str(pg[key]) == setting(f"LIPAS_PG_{key.upper()}").default, key
    assert nightly_cron() == setting("LIPAS_NIGHTLY_CRON").default


def test_accessors_read_at_call_time_and_name_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workers = setting("LIPAS_INGEST_WORKERS")
    monkeypatch.delenv("LIPAS_INGEST_WORKERS", raising=False)
    assert workers.raw() == "" and not workers.is_set()
    monkeypatch.setenv("LIPAS_INGEST_WORKERS", " 3 ")
    assert workers.integer() == 3 and workers.is_set()
    assert setting("LIPAS_OUTLIER_THRESHOLD").number({"LIPAS_OUTLIER_THRESHOLD": "4.5"}) == 4.5
    with pytest.raises(ConfigurationError, match="LIPAS_SMTP_RETRIES must be a whole number"):
        setting("LIPAS_SMTP_RETRIES").integer({"LIPAS_SMTP_RETRIES": "three"})
    with pytest.raises(ConfigurationError, match="LIPAS_SMTP_RETRIES must be at least 1"):
        setting("LIPAS_SMTP_RETRIES").integer({"LIPAS_SMTP_RETRIES": "0"}, minimum=1)
    with pytest.raises(ConfigurationError, match="LIPAS_OUTLIER_THRESHOLD must be a number"):
        setting("LIPAS_OUTLIER_THRESHOLD").number({"LIPAS_OUTLIER_THRESHOLD": "high"})
    with pytest.raises(ConfigurationError, match="LIPAS_ENV must be one of dev, ci, prod"):
        setting("LIPAS_ENV").choice({"LIPAS_ENV": "staging"})
    assert setting("LIPAS_PUBLISH_EXTERNAL").flag({"LIPAS_PUBLISH_EXTERNAL": "Yes"})
    assert not setting("LIPAS_PUBLISH_EXTERNAL").flag({})
    # Secrets keep their exact text; other values are stripped.
    assert setting("LIPAS_SMTP_PASSWORD").value({"LIPAS_SMTP_PASSWORD": " pw "}) == " pw "
    with pytest.raises(KeyError):
        setting("LIPAS_NOT_DECLARED")


def test_load_settings_takes_home_as_an_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIPAS_HOME", str(tmp_path / "from-env"))
    assert load_settings(home=tmp_path / "given").home == (tmp_path / "given").resolve()
    assert load_settings().home == (tmp_path / "from-env").resolve()
    assert os.environ["LIPAS_HOME"] == str(tmp_path / "from-env")


def test_child_process_environ_is_scoped_and_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIPAS_DBT_AS_OF", "2025-01-01")
    monkeypatch.delenv("LIPAS_WAREHOUSE_PATH", raising=False)
    with environ_for_child_process({"LIPAS_DBT_AS_OF": "2025-03-15", "LIPAS_WAREHOUSE_PATH": "x"}):
        assert os.environ["LIPAS_DBT_AS_OF"] == "2025-03-15"
        assert os.environ["LIPAS_WAREHOUSE_PATH"] == "x"
    assert os.environ["LIPAS_DBT_AS_OF"] == "2025-01-01"
    assert "LIPAS_WAREHOUSE_PATH" not in os.environ
    with pytest.raises(KeyError):
        with environ_for_child_process({"LIPAS_TYPO": "1"}):
            pass
    assert "LIPAS_TYPO" not in os.environ


def test_the_scanner_finds_reads_writes_and_lookups() -> None:
    """The source scan below can fail: each kind of stray use is reported."""
    bad = (
        "import os\n"
        "a = os.environ.get('LIPAS_HOME')\n"
        "os.environ['LIPAS_AS_OF'] = 'x'\n"
        "b = os.getenv('LIPAS_ENV')\n"
        "c = dg.EnvVar('LIPAS_SMTP_PASSWORD')\n"
        "d = env.get('LIPAS_PG_HOST', '')\n"
        "e = env['LIPAS_PG_PORT']\n"
    )
    assert [line for line, _ in environ_uses(bad)] == [2, 3, 4, 5]
    assert lipas_lookups(bad) == [(2, "LIPAS_HOME"), (6, "LIPAS_PG_HOST"), (7, "LIPAS_PG_PORT")]
    fine = (
        "import os\n"
        "env = {**os.environ, 'DAGSTER_HOME': h}\n"
        "env2 = dict(os.environ if base is None else base)\n"
        "env2['LIPAS_WAREHOUSE_PATH'] = p\n"
    )
    assert environ_uses(fine) == [] and lipas_lookups(fine) == []


def test_no_module_reads_the_environment_outside_the_registry() -> None:
    """Issue 13 item 3: settings are read through core.settings_registry, passed as arguments."""
    problems = []
    copies = set()
    for path in _python_files():
        rel = path.relative_to(PROJECT_ROOT).as_posix()
        if rel in REGISTRY_FILES:
            continue
        source = path.read_text(encoding="utf-8")
        problems += [f"{rel}:{line}: {what}" for line, what in environ_uses(source)]
        problems += [f"{rel}:{line}: reads {name}" for line, name in lipas_lookups(source)]
        if copies_environ(source):
            copies.add(rel)
    assert problems == [], "read settings via core.settings_registry.setting(...)"
    assert copies <= set(CHILD_ENV_COPIES), sorted(copies - set(CHILD_ENV_COPIES))


def test_every_lipas_variable_named_anywhere_is_declared() -> None:
    """Code, dbt, deploy files and docs name only declared variables (no typos, no orphans)."""
    declared = declared_names()
    unknown: dict[str, set[str]] = {}
    for entry in NAMED_IN:
        root = PROJECT_ROOT / entry
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            if path.suffix not in TEXT_SUFFIXES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for name in set(LIPAS_NAME.findall(text)) - declared:
                unknown.setdefault(name, set()).add(str(path.relative_to(PROJECT_ROOT)))
    assert unknown == {}
