# Two commands on a fresh machine: `make synth` and `make test`.
VENV      ?= .venv
PYTHON    ?= python3
PY        := $(VENV)/bin/python
BIN       := $(VENV)/bin
BLUEPRINTS ?= blueprints
OUT       ?= build

.PHONY: synth lint test golden install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

synth: install
	$(BIN)/ecsstack synth $(BLUEPRINTS) -o $(OUT)

lint: install
	$(BIN)/ecsstack lint $(BLUEPRINTS)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest

golden: install-test
	ECSSTACK_UPDATE_GOLDEN=1 $(BIN)/pytest tests/golden -q

clean:
	rm -rf $(OUT) .pytest_cache
