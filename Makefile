# Two commands set everything up on a fresh machine with Python 3.11:
#   make run    – run the bot (creates .venv, installs, compiles catalogs)
#   make test   – run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= config.toml

.PHONY: run test install install-test browser locales catalogs-check clean

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

test: install-test browser
	$(PY) -m pytest -q

# For developers: refresh the catalogs after changing user-visible text.
locales: install-test
	$(PY) -m bot.i18n.catalogs extract
	$(PY) -m bot.i18n.catalogs update

catalogs-check: install-test
	$(PY) -m bot.i18n.catalogs check

clean:
	rm -rf $(VENV) .pytest_cache
