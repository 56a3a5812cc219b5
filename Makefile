# outfall — two commands: `make run` (install, migrate, load the Laixi demo, serve with the worker) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUTFALL := $(VENV)/bin/outfall
HOST ?= 127.0.0.1
PORT ?= 8000
export OUTFALL_DATA_DIR ?= $(CURDIR)/data

.PHONY: run install test test-fast test-browser bench lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(OUTFALL) migrate --noinput
	$(OUTFALL) demo
	@echo "outfall: http://$(HOST):$(PORT)/  (logins above; Ctrl-C stops)"
	$(OUTFALL) serve --host $(HOST) --port $(PORT) --with-worker

test: install
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: install
	$(PY) -m pytest -q -p no:cacheprovider -m "not browser"

test-browser: install
	$(PY) -m pytest -q -p no:cacheprovider -m browser

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
