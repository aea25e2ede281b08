# The two front-door commands: `make report` (the main job) and `make test`.
# Both create .venv from the pinned requirements.lock on first use; only Python 3.11+ is needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: report test validate clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "syriadata needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.lock
	$(BIN)/python -m pip install --no-deps -e .
	@touch $@

report: $(VENV)/.installed  ## validate the data and rebuild every table, figure and report/index.html
	$(BIN)/syriadata validate
	$(BIN)/syriadata report --out report

test: $(VENV)/.installed  ## run the test suite
	$(BIN)/python -m pytest

validate: $(VENV)/.installed
	$(BIN)/syriadata validate

clean:
	rm -rf $(VENV) report
