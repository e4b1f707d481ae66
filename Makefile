# Two commands: `make run` starts Porchlight with a demo site; `make test` runs every test
# on two worker processes (CI has two cores); the tests of one xdist_group share a worker
# (tests/conftest.py puts the Chromium tests in one, the tests starting real servers in another).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint build check-build bench clean lock

run: $(VENV)/.installed
	$(BIN)/porchlight demo

test: $(VENV)/.installed-test
	bash scripts/test-services.sh
	$(BIN)/ruff check .
	$(BIN)/pytest --numprocesses=2 --dist=loadgroup

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

# Exact versions with their hashes from the lock files, then Porchlight itself without
# resolving anything; `pip check` fails when setup.cfg wants what the lock lacks
# (run `make lock`).
$(VENV)/.installed: requirements.lock setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

$(VENV)/.installed-test: requirements-test.lock setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(VENV)/.installed $@

# Refreshes both lock files from setup.cfg: the newest versions its ranges allow, for
# Python 3.11 on every platform, each with the hashes of all its published files.
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --no-annotate --quiet
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet uv==0.13.8
	.venv-lock/bin/uv pip compile setup.cfg --extra postgres $(LOCK_FLAGS) -o requirements.lock
	.venv-lock/bin/uv pip compile setup.cfg --extra postgres --extra test $(LOCK_FLAGS) \
		-o requirements-test.lock

clean:
	rm -rf $(VENV) .venv-lock data .pytest_cache
