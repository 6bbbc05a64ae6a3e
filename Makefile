# Tandem — two commands: `make demo` (set up, build the demo workspace, serve it) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements/dev.lock pyproject.toml | cksum | cut -d' ' -f1)
DEMO_WORKSPACE ?= demo-workspace
DEMO_PORT ?= 8000
# The browser tests drive Debian's Chromium (never a Playwright download); installed when missing.
CHROMIUM := /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: help setup browser demo test lint format bench docs lock clean

help:
	@echo "make demo   set up, build the demo workspace ($(DEMO_WORKSPACE)/) from real data and"
	@echo "            serve it on http://127.0.0.1:$(DEMO_PORT) (prints one demo sign-in per role)"
	@echo "make test   set up, lint (ruff, mypy --strict) and run the test suite (browser tests too)"
	@echo "make lint   ruff + mypy only;  make bench  run the benchmarks;  make lock  re-pin deps"

$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e '.[postgres]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

browser: $(CHROMIUM)

demo: setup
	$(BIN)/tandem demo --workspace $(DEMO_WORKSPACE) --port $(DEMO_PORT)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy --strict src

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# The browser suite runs apart, in one process: one server and one Chromium for all its tests.
test: lint browser
	$(BIN)/pytest -n auto -m "not browser" $(PYTEST_ARGS)
	TANDEM_TEST_REQUIRE_BROWSER=1 TANDEM_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -m browser $(PYTEST_ARGS)

docs: setup
	$(BIN)/python -m tandem.cli.reference > docs/cli.md

bench: setup
	$(BIN)/python benchmarks/run.py

lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements/dev.in
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^tandem' > requirements/dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(DEMO_WORKSPACE) test-artifacts
