# Two commands: `make run` starts Porchlight with a demo site; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint build check-build bench clean

run: $(VENV)/.installed
	$(BIN)/porchlight demo

test: $(VENV)/.installed-test
	bash scripts/test-services.sh
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The built widget and dashboard are committed under static/, so `make run` needs no Node.
build:
	cd widget && npm ci --no-audit --no-fund && node build.mjs
	cd dashboard && npm ci --no-audit --no-fund && node build.mjs

# Fails when the committed bundles are not what the sources build.
check-build: build
	git diff --exit-code --stat -- static/

# The A/B bench: the bare python-socketio relay beside Porchlight on each store combination.
# `make bench QUICK=1` runs the shorter version.
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.run $(if $(QUICK),--quick,)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

clean:
	rm -rf $(VENV) data .pytest_cache
