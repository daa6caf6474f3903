# `make run` and `make test` each do every set-up step on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install run test lint typecheck pytest docs docs-serve bench spec clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(BIN)/python -m example_service

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(STAMP)
	$(BIN)/mkdocs serve

test: lint typecheck pytest docs

# Regenerate the example service's committed OpenAPI documents.
spec: $(STAMP)
	$(BIN)/flask --app example_service restkit spec -o openapi/openapi.json
	$(BIN)/flask --app example_service restkit spec --openapi-version 3.0 -o openapi/openapi-3.0.json

# The load generator is wrk, Debian's package; without it the suite falls back to a slower
# Python load generator and says so in its output.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk could not be installed; using the Python load generator"
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) site .coverage .mypy_cache .pytest_cache .ruff_cache
