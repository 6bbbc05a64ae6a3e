# Tandem — two commands: `make demo` (set up + build the demo workspace) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements/dev.lock pyproject.toml | cksum | cut -d' ' -f1)
DEMO_WORKSPACE ?= demo-workspace
PYTEST_ARGS ?=

.PHONY: help setup demo test lint format bench docs lock clean

help:
	@echo "make demo   set up and build the demo workspace ($(DEMO_WORKSPACE)/) from real data"
	@echo "make test   set up, lint (ruff, mypy --strict) and run the test suite"
	@echo "make lint   ruff + mypy only;  make bench  run the benchmarks;  make lock  re-pin deps"

$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e '.[postgres]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/tandem demo --workspace $(DEMO_WORKSPACE)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy --strict src

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: lint
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

docs: setup
	$(BIN)/python -m tandem.cli.reference > docs/cli.md

bench: setup
	$(BIN)/python benchmarks/run.py

lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements/dev.in
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^tandem' > requirements/dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(DEMO_WORKSPACE)
