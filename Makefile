# Each entry point bootstraps .venv itself, so a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-readme clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `@`: the gateway's stdout carries only its JSON log lines.
run: $(STAMP)
	@$(BIN)/gateway serve

# Coverage of gateway, legacy_adapter and http_conventions; below [tool.coverage.report] fail_under fails.
# Two workers, one test file each at a time: the end-to-end tests mostly wait on their servers, so
# the suite takes about half as long on two cores, and a file's module fixtures are built once.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --cov

# Benchmarks (a few minutes; not part of `make test`): a table of figures against targets and
# bench/results/latest.json (ignored by git); `make bench-readme` then puts that run's table in README.md.
bench: $(STAMP)
	$(BIN)/python -m bench

bench-readme: $(STAMP)
	$(BIN)/python -m bench.readme_table

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache .coverage
