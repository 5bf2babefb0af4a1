# evalkit: `make report` builds the national report, `make test` runs the tests.
# Both set up everything they need on a fresh Debian-like machine (Python 3.11+, root or sudo).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
EVALKIT := $(VENV)/bin/evalkit
# uv never downloads a Python of its own here: the machine's python3 is used.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3
# Compile bytecode at install: these machines set PYTHONDONTWRITEBYTECODE, so without it every
# kernel would compile pandas, scipy and statsmodels from source on import (8 s instead of 1.5 s).
export UV_COMPILE_BYTECODE := 1
UV = $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help setup system-deps report report-sv report-en report-all html lab lint test test-fast bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.synced: uv.lock pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

setup: $(VENV)/.synced ## create .venv from the committed uv.lock

system-deps: ## install Pango, fonts, poppler and Chromium from Debian when missing
	@bash scripts/install-system-deps.sh

report: setup system-deps ## build the Finnish report: _build/html/index.html and _build/pdf/report.pdf
	$(EVALKIT) build --jobs $(JOBS)

report-sv: setup system-deps ## build the Swedish edition: _build/html-sv/ and _build/pdf/report-sv.pdf
	$(EVALKIT) build --jobs $(JOBS) --lang sv

report-en: setup system-deps ## build the English edition: _build/html-en/ and _build/pdf/report-en.pdf
	$(EVALKIT) build --jobs $(JOBS) --lang en

report-all: report report-sv report-en ## build every edition: Finnish, Swedish and English

html: setup ## build the Finnish site only (no PDF)
	$(EVALKIT) build --jobs $(JOBS) --no-pdf

lab: setup ## open a pilot's own notebook in JupyterLab: make lab DIR=own/report (installs JupyterLab)
	@test -n "$(DIR)" || { echo "make lab: name the folder evalkit pilot wrote, e.g. make lab DIR=own/report" >&2; exit 2; }
	$(UV) sync --frozen --group lab
	$(EVALKIT) lab $(DIR)

lint: setup ## ruff: pyflakes, pycodestyle, import order, docstrings on the public API
	$(VENV)/bin/ruff check

test: setup system-deps lint ## lint, then the whole test suite (includes real book builds), two workers
	$(PY) -m pytest -q -n 2 --dist loadgroup

test-fast: setup ## run the tests that do not build the book
	$(PY) -m pytest -q -n 2 -m "not slow and not browser"

bench: setup ## print speed and memory figures (indicators, builds)
	$(PY) bench/run.py

clean: ## remove build outputs and executed pages (keeps .venv)
	rm -rf _build book/pilots book/national book/sv book/en
