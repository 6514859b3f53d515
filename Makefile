# Loket — one Makefile for run, test, lint, migrate, seed and bench.
# `make run` and `make test` work on a fresh clone with only Python 3.11 installed.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
LOKET := $(BIN)/loket
export UV_PROJECT_ENVIRONMENT := $(VENV)
LOKET_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run install test test-sqlite test-postgres browsers lint format migrate seed worker bench i18n clean help

help:
	@echo "make run      set up everything and serve http://127.0.0.1:8000"
	@echo "make test     install test needs and run the suite (SQLite, then PostgreSQL if reachable)"
	@echo "make lint     ruff + mypy"
	@echo "make bench    run the benchmarks in bench/"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.synced

migrate: install
	$(LOKET) db upgrade

seed: migrate
	$(LOKET) seed

run: seed
	$(LOKET) serve

worker: install
	$(LOKET) worker

browsers:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "installing Chromium from Debian's packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "warning: could not install chromium; browser tests will fail"; \
	else echo "warning: /usr/bin/chromium missing; run 'sudo apt-get install chromium'"; fi

test: install browsers
	@$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(LOKET_TEST_POSTGRES_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable at $(LOKET_TEST_POSTGRES_URL): skipped the PostgreSQL run"; fi

test-sqlite: install
	@echo "=== test suite on SQLite ==="
	env -u LOKET_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "=== test suite on PostgreSQL ==="
	LOKET_TEST_DATABASE_URL=$(LOKET_TEST_POSTGRES_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy backend tests bench

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format backend tests bench

bench: install
	@for f in bench/*.py; do echo "=== $$f"; $(BIN)/python $$f || exit 1; done

# Extract messages (babel.cfg) and append untranslated ones to backend/locale/<lang>/<domain>.po.
i18n: install
	$(BIN)/python -m backend.core.i18n_extract

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
