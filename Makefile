# Two commands set everything up on a fresh machine with Python 3.11:
#   make run    – run the bot (creates .venv, installs, compiles catalogs)
#   make test   – run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CONFIG ?= config.toml

.PHONY: run test install install-test locales catalogs-check clean

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
	$(PY) -m bot.catalogs compile

install-test: $(VENV)/.installed-test
	$(PY) -m bot.catalogs compile

run: install
	$(VENV)/bin/atensi-bot run --config $(CONFIG)

test: install-test
	$(PY) -m pytest -q

# For developers: refresh the catalogs after changing user-visible text.
locales: install-test
	$(PY) -m bot.catalogs extract
	$(PY) -m bot.catalogs update

catalogs-check: install-test
	$(PY) -m bot.catalogs check

clean:
	rm -rf $(VENV) .pytest_cache
