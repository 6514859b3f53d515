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

.PHONY: run install test test-fast test-sqlite test-postgres browsers lint format migrate seed worker bench i18n clean help

help:
	@echo "make run      set up everything and serve http://127.0.0.1:8000 (PORT=8080 HOST=… to change)"
	@echo "make test     install test needs and run the suite (SQLite, then PostgreSQL if reachable)"
	@echo "make test-fast  the inner loop: SQLite, no browser, no slow or fuzzing tests (< 2 min)"
	@echo "make lint     ruff + mypy + import contracts (lint-imports)"
	@echo "make bench    run the benchmarks in bench/"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	$(BIN)/python -m compileall -q -j 0 backend migrations
	$(BIN)/python -c "from backend.core.templating import warm_templates; warm_templates(); from backend.core.i18n import warm_catalogs; warm_catalogs(); from backend.main import write_route_table; write_route_table()"
	@touch $@

install: $(VENV)/.synced

migrate: install
	$(LOKET) db upgrade

seed: migrate
	$(LOKET) seed

# PORT and HOST are passed to `loket serve`; mail links follow them (LOKET_BASE_URL unset).
PORT ?=
HOST ?=
run: seed
	$(LOKET) serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

worker: install
	$(LOKET) worker

browsers:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "installing Chromium from Debian's packages"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "warning: could not install chromium; browser tests will fail"; \
	else echo "warning: /usr/bin/chromium missing; run 'sudo apt-get install chromium'"; fi

# The PostgreSQL run starts in the background and the SQLite run streams in the foreground: the
# suites use different databases, and running them side by side uses both cores. The PostgreSQL
# log is printed when the SQLite run ends. `make test-sqlite` / `make test-postgres` run one.
test: install browsers
	@mkdir -p var
	@pg=0; if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(LOKET_TEST_POSTGRES_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		pg=1; $(MAKE) --no-print-directory test-postgres > var/test-postgres.log 2>&1 & pgpid=$$!; \
		echo "PostgreSQL run started in the background (log: var/test-postgres.log)"; \
	else echo "PostgreSQL not reachable at $(LOKET_TEST_POSTGRES_URL): skipped the PostgreSQL run"; fi; \
	$(MAKE) --no-print-directory test-sqlite; sqlite_rc=$$?; pg_rc=0; \
	if [ $$pg = 1 ]; then wait $$pgpid; pg_rc=$$?; cat var/test-postgres.log; fi; \
	echo "SQLite run exit $$sqlite_rc, PostgreSQL run exit $$pg_rc"; \
	[ $$sqlite_rc = 0 ] && [ $$pg_rc = 0 ]

# Each run uses two test processes (pytest-xdist; a file stays in one process, so module
# fixtures and the fuzzer's coverage check hold), which keeps both cores busy while tests
# wait for servers, mail or the browser. The browser tests run afterwards in one process of
# their own: Playwright's sync API keeps an event loop in the main thread. Exit code 5 means
# "no test selected" (PYTEST_ARGS naming other tests) and is fine. PYTEST_PARALLEL= runs one.
PYTEST_PARALLEL ?= -n 2 --dist loadfile
test-sqlite: install
	@echo "=== test suite on SQLite ==="
	env -u LOKET_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_PARALLEL) -m "not browser" $(PYTEST_ARGS) \
		|| [ $$? = 5 ]
	@echo "=== browser tests (SQLite) ==="
	env -u LOKET_TEST_DATABASE_URL $(BIN)/pytest -m browser $(PYTEST_ARGS) || [ $$? = 5 ]

# The inner loop: SQLite only, no browser tests, none marked slow (fuzzing, processes, whole-world
# matrices: tests/conftest.py SLOW_FILES and every Hypothesis test). `make test` runs them all.
test-fast: install
	env -u LOKET_TEST_DATABASE_URL $(BIN)/pytest -n 2 --dist loadfile -q \
		-m "not browser and not slow" $(PYTEST_ARGS) || [ $$? = 5 ]

# On PostgreSQL only the tests that reach the database run (tests/conftest.py DATABASE_FIXTURES);
# LOKET_TEST_ALL=1 runs everything there too.
test-postgres: install
	@echo "=== test suite on PostgreSQL ==="
	LOKET_TEST_DATABASE_URL=$(LOKET_TEST_POSTGRES_URL) $(BIN)/pytest $(PYTEST_PARALLEL) \
		$(PYTEST_ARGS) || [ $$? = 5 ]

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy backend tests bench
	$(BIN)/lint-imports

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
