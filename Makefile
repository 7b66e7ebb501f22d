# lipas-warehouse: `make demo` runs the pipeline end to end, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export LIPAS_HOME ?= $(CURDIR)/var

.PHONY: setup demo test lint bench clean

# uv from PATH, else the one pip installs; `python3 -m uv` works even before pyenv rehashes shims.
setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@if command -v uv >/dev/null 2>&1; then uv sync --frozen --quiet; else python3 -m uv sync --frozen --quiet; fi

demo: setup
	$(VENV)/bin/lipas demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/sqlfluff lint dbt_project/models dbt_project/tests dbt_project/macros --processes 2

test: setup lint
	$(VENV)/bin/pytest -n 2 --dist loadgroup

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf var dbt_project/target dbt_project/logs
