# `make run` and `make test` each do every set-up step on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install run test lint typecheck pytest docs docs-serve bench spec reliability clean

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

# The long versions of the reliability tests (docs/reliability.md): more fuzzing examples,
# more property examples, a two-minute load run. `make test` runs the same tests, bounded.
reliability: $(STAMP)
	DATABASE_TEST_URL=$${DATABASE_TEST_URL:-postgresql://postgres@127.0.0.1:5432/test} \
	REDIS_TEST_URL=$${REDIS_TEST_URL:-redis://127.0.0.1:6379/0} \
	RESTKIT_FUZZ_EXAMPLES=$${RESTKIT_FUZZ_EXAMPLES:-200} \
	RESTKIT_PROPERTY_EXAMPLES=$${RESTKIT_PROPERTY_EXAMPLES:-2000} \
	RESTKIT_LOAD_SECONDS=$${RESTKIT_LOAD_SECONDS:-120} \
	$(BIN)/python -m pytest -p no:cacheprovider \
		tests/test_reliability_*.py tests/test_*_properties.py tests/test_parsing_hostile.py

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
