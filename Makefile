# GOV.UK Pay, in Python. `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench bench-scale fuzz chaos clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

install: ## Create .venv with the locked dependencies (uv.lock)
	@scripts/bootstrap.sh

run: install ## Start PostgreSQL (embedded unless DATABASE_URL is set), migrate, start every service
	@$(BIN)/python scripts/run.py

test: install ## Run every test (PostgreSQL: TEST_DATABASE_URL, else 127.0.0.1:5432, else embedded)
	@scripts/test.sh

lint: install ## ruff (lint + format check), mypy and the architecture rules (import-linter, AST checks)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy libs services tests scripts
	@$(BIN)/lint-imports --no-cache
	@$(BIN)/python -m scripts.check_architecture

format: install ## Apply ruff's fixes and formatting
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

fuzz: install ## Contract-driven fuzzing: 5,000 schemathesis requests per service, no 5xx allowed
	@FUZZ_REQUESTS=$${FUZZ_REQUESTS:-5000} $(BIN)/python -m pytest tests/fuzz -q -s -p no:cacheprovider --timeout=0

bench: install ## Run the benchmarks and print the figures recorded in docs/benchmarks.md
	@$(BIN)/python -m scripts.bench

chaos: install ## kill -9 connector processes during payments and refunds, then check recovery (docs/reliability.md)
	@$(BIN)/python -m scripts.chaos
bench-scale: install ## Two replicas of each service behind HAProxy: spread, shared rate limit, stopping one mid-run
	@scripts/install_deploy_tools.sh
	@$(BIN)/python -m scripts.bench.scale

clean: ## Remove the virtualenv, caches and the embedded database (.data)
	rm -rf $(VENV) .tools .data .pytest_cache .mypy_cache .ruff_cache
