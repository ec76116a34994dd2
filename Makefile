# Everything runs from a uv-managed venv; uv itself is bootstrapped from PyPI when missing.
SHELL := /bin/bash
UV_VERSION := 0.13.9
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
# Byte-compile the venv at install: a cold `baseline preview` otherwise spends ~2 s compiling pulumi_aws sources
# wherever .pyc files are not written (read-only installs, PYTHONDONTWRITEBYTECODE).
export UV_COMPILE_BYTECODE := 1
RUN := $(UV) run --locked --no-sync
STACK ?= dev
# GNU make exits 2 whenever a recipe fails, whatever the command's own code: `baseline` recipes print that code on
# stderr before failing, and CI that acts on 0/1/2/3 runs `.venv/bin/baseline` itself (README, CI).
define baseline
@$(RUN) baseline $(1); code=$$?; if [ $$code -ne 0 ]; then echo "baseline $(word 1,$(1)) exited $$code ($(EXIT_CODES))" >&2; fi; exit $$code
endef
EXIT_CODES := 1 findings, 2 bad input, 3 demo deploy failed; make itself exits 2

.PHONY: help demo scan test lint typecheck pytest preview docs diagram clean bench mutate

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# checkov conflicts with the project's dependencies: it gets its own pinned venv (verify/checkers/checkov.py runs it).
CHECKOV_VERSION := 3.3.30
CHECKOV := .tools/checkov/bin/checkov

$(CHECKOV): | $(UV) ## the pinned checkov in its own venv (used by the checkov bridge and its tests)
	$(UV) venv --clear --quiet .tools/checkov
	$(UV) pip install --quiet --python .tools/checkov/bin/python checkov==$(CHECKOV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet
	@touch $@

demo: .venv/.synced .tools/checkov/bin/checkov ## the main job: deploy the dev stack into moto, scan, live-audit, report
	$(call baseline,demo --stack $(STACK) --out reports)

scan: .venv/.synced ## scan STACK offline: terminal table + reports/{report.md,findings.json,results.sarif,junit.xml}
	$(call baseline,scan --stack $(STACK) --out reports)

preview: .venv/.synced ## offline preview of STACK (default dev): tree + preview.json + stack-export.json
	$(RUN) baseline preview --stack $(STACK) --out reports

lint: .venv/.synced ## ruff lint and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: .venv/.synced ## mypy (strict on ai_security_baseline/, components/, policies/, tests/)
	$(RUN) mypy

pytest: .venv/.synced $(CHECKOV) ## the test suite
	$(RUN) pytest

test: .venv/.synced ## everything CI runs: ruff and mypy while checkov's own venv installs (only pytest needs it), then pytest
	@log=$$(mktemp); $(MAKE) --no-print-directory $(CHECKOV) >"$$log" 2>&1 & installer=$$!; \
	$(MAKE) --no-print-directory lint typecheck || { kill $$installer 2>/dev/null; exit 1; }; \
	wait $$installer || { cat "$$log" >&2; exit 1; }; \
	$(MAKE) --no-print-directory pytest

BENCH_ARGS ?=
bench: .venv/.synced $(CHECKOV) ## time every stage on the dev stack, ratios, 1x/4x/16x scaling, 5k/50k-resource scans -> reports/bench.json
	$(RUN) python bench/run.py $(BENCH_ARGS)

mutate: .venv/.synced $(CHECKOV) ## break every control on purpose; every checker it claims must fail it (graph + live)
	$(RUN) baseline mutate --stack $(STACK)

docs: .venv/.synced ## regenerate the README's config table and the per-control pages (docs/controls/)
	$(RUN) python -m ai_security_baseline.verify.reports.docs README.md
	$(RUN) python -m ai_security_baseline.verify.reports.control_docs docs/controls

# --- diagram: Mermaid source from the dev stack, rendered by mermaid-cli on Debian's chromium (no browser download)
MERMAID_CLI_VERSION := 12.2.0
MMDC := .tools/mermaid/node_modules/.bin/mmdc
CHROMIUM ?= /usr/bin/chromium

$(MMDC):
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .tools/mermaid --no-fund --no-audit @mermaid-js/mermaid-cli@$(MERMAID_CLI_VERSION)

# the views of controls/vocabulary.py DIAGRAM_VIEWS (tests/test_diagram.py checks this list against it)
DIAGRAM_VIEWS := dataflow encryption audit detection ai
DIAGRAM_PNGS := $(foreach view,$(DIAGRAM_VIEWS),docs/diagram-dev-$(view).png)

docs/diagram-dev-%.mmd: .venv/.synced __main__.py Pulumi.dev.yaml $(wildcard ai_security_baseline/components/*.py) ai_security_baseline/controls/vocabulary.py ai_security_baseline/verify/reports/diagram.py ai_security_baseline/verify/engine/graph.py
	$(RUN) baseline diagram --stack dev --view $* --out $@.new
	@# replace only on change, so an unchanged view is not re-rendered (mmdc output is not byte-stable)
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

docs/diagram-dev-%.png: docs/diagram-dev-%.mmd docs/puppeteer-config.json docs/mermaid-config.json | $(MMDC)
	@test -x $(CHROMIUM) || { echo "chromium missing: apt-get install -y chromium"; exit 2; }
	PUPPETEER_SKIP_DOWNLOAD=1 $(MMDC) --quiet -p docs/puppeteer-config.json -c docs/mermaid-config.json -i $< -o $@ -b white -s 2

.PRECIOUS: docs/diagram-dev-%.mmd

diagram: $(DIAGRAM_PNGS) ## regenerate docs/diagram-dev-<view>.mmd for each view from the dev stack and render each .png

clean: ## remove generated files (keeps the venv)
	rm -rf reports .pytest_cache .mypy_cache .ruff_cache
