# Insight Atlas — every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Links the API builds (reset mail, sandbox checkout) point at where `make run` serves.
PUBLIC_API_URL ?= http://$(HOST):$(PORT)
PUBLIC_WEB_URL ?= http://$(HOST):$(PORT)
export HOST PORT PUBLIC_API_URL PUBLIC_WEB_URL

.PHONY: run test lint typecheck format bench bench-engine bench-http deps dev-deps clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.deps: $(BIN)/python requirements/main.txt pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements/main.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-deps: $(VENV)/.deps requirements/dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

## make run: migrate the database and serve the API on http://$(HOST):$(PORT)
run: deps
	$(BIN)/atlas db upgrade
	$(BIN)/atlas serve --host $(HOST) --port $(PORT)

## make test: lint, format check, types, then the whole suite (SQLite, plus PostgreSQL if reachable)
test: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: dev-deps
	$(BIN)/mypy

format: dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: bench-engine bench-http

bench-engine: dev-deps
	$(BIN)/python bench/engine.py

bench-http: dev-deps
	$(BIN)/python bench/load.py

## make lock: recompile the pinned, hashed requirement files from pyproject.toml
lock:
	$(PYTHON) -m venv /tmp/atlas-pip-tools && /tmp/atlas-pip-tools/bin/pip install --quiet pip-tools
	cd requirements && /tmp/atlas-pip-tools/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --no-emit-trusted-host -o main.txt ../pyproject.toml
	cd requirements && /tmp/atlas-pip-tools/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --no-emit-trusted-host --extra dev -o dev.txt ../pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
