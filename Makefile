# Developer tasks. PYTHON is the interpreter whose environment has the
# project installed with its test and lint extras: pip install -e ".[test,lint]"
PYTHON ?= python

.PHONY: lint test

lint:
	$(PYTHON) -m ruff check augment_cli tests benchmarks
	$(PYTHON) -m mypy augment_cli

test:
	$(PYTHON) -m pytest -q
