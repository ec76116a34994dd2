# Everything runs from a uv-managed venv; uv itself is bootstrapped from PyPI when missing.
SHELL := /bin/bash
UV_VERSION := 0.13.9
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
RUN := $(UV) run --locked --no-sync
STACK ?= dev

.PHONY: help demo scan test lint typecheck pytest preview docs clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# checkov conflicts with the project's dependencies: it gets its own pinned venv (verify/checkov.py runs it).
CHECKOV_VERSION := 3.3.30
CHECKOV := .tools/checkov/bin/checkov

$(CHECKOV): | $(UV) ## the pinned checkov in its own venv (used by the checkov bridge and its tests)
	$(UV) venv --clear --quiet .tools/checkov
	$(UV) pip install --quiet --python .tools/checkov/bin/python checkov==$(CHECKOV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet
	@touch $@

demo: .venv/.synced ## the main job: run the dev stack offline, show what it creates, scan every control
	$(RUN) baseline preview --stack $(STACK) --out reports
	$(RUN) baseline scan --stack $(STACK) --out reports

scan: .venv/.synced ## scan STACK offline: terminal table + reports/{report.md,findings.json,results.sarif,junit.xml}
	$(RUN) baseline scan --stack $(STACK) --out reports

preview: .venv/.synced ## offline preview of STACK (default dev): tree + preview.json + stack-export.json
	$(RUN) baseline preview --stack $(STACK) --out reports

lint: .venv/.synced ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: .venv/.synced ## mypy (strict on components/, verify/, policies/)
	$(RUN) mypy

pytest: .venv/.synced $(CHECKOV) ## the test suite
	$(RUN) pytest

test: lint typecheck pytest ## everything CI runs

docs: .venv/.synced ## regenerate the README's config table from the config model
	$(RUN) python -m verify.docs README.md

clean: ## remove generated files (keeps the venv)
	rm -rf reports .pytest_cache .mypy_cache .ruff_cache
