# Two commands set everything up on a fresh machine with Python 3.11:
#   make run    – run the bot (creates .venv, installs, compiles catalogs)
#   make test   – run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= config.toml

.PHONY: run test bench-smoke lint install install-test browser postgresql locales catalogs-check clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
	$(PY) -m bot.i18n.catalogs compile

install-test: $(VENV)/.installed-test
	$(PY) -m bot.i18n.catalogs compile

# config.toml is optional: a fresh checkout has none (and no token), and then `run` starts the
# offline sandbox. A CONFIG given on the command line must exist.
run: install
	$(VENV)/bin/atensi-bot run $(if $(or $(wildcard $(CONFIG)),$(filter-out file,$(origin CONFIG))),--config $(CONFIG))

# The sandbox's browser test drives Debian's Chromium (never a browser download). CI (CI=true, as
# root) installs it when missing; elsewhere that test is skipped and says what to install.
browser:
	@if [ "$$CI" = "true" ] && [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji; \
		else \
			echo "CI needs Chromium for the browser test: run as root, or apt-get install chromium"; \
		fi; \
	fi

# Half of the tests run on PostgreSQL: a throwaway cluster they start themselves from Debian's
# `postgresql` packages (initdb as the postgres user). CI (CI=true, as root) installs them when
# missing; elsewhere those tests are skipped and say what to install.
postgresql:
	@if [ "$$CI" = "true" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
		else \
			echo "CI needs PostgreSQL for the [postgresql] tests: run as root, or apt-get install postgresql"; \
		fi; \
	fi

# The suite mostly waits (on the emulator, on time moved forward, on child processes), so it runs
# in parallel workers (pytest-xdist): each test has its own database, ports and folders.
TEST_WORKERS ?= 4

test: install-test lint browser postgresql
	$(PY) -m pytest -q -n $(TEST_WORKERS) -m "not slow_bench"

# The benches that take minutes even at their smallest sizes, run once each to see they still work
# (tests/test_bench_smoke.py; the quick ones are part of `make test`). CI runs it after the tests.
bench-smoke: install-test postgresql
	$(PY) -m pytest -q -n $(TEST_WORKERS) -m slow_bench tests/test_bench_smoke.py

# The checks CI runs before the tests (configured in pyproject.toml): lint and import order, the
# formatting, the types.
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# For developers: refresh the catalogs after changing user-visible text.
locales: install-test
	$(PY) -m bot.i18n.catalogs extract
	$(PY) -m bot.i18n.catalogs update

catalogs-check: install-test
	$(PY) -m bot.i18n.catalogs check

clean:
	rm -rf $(VENV) .pytest_cache
