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

.PHONY: run test lint typecheck format bench bench-engine bench-http deps dev-deps clean lock web

# The web app (Next.js static export in web/out), rebuilt when any of its sources is newer.
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -path web/out -prune \
	-o -path web/.next -prune -o -type f -print 2>/dev/null)
WEB_BUILD := $(if $(wildcard web/package.json),web/out/index.html)

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

web/out/index.html: $(WEB_SOURCES) scripts/build-web.sh | $(VENV)/.deps
	scripts/build-web.sh

## make web: build the web app (Node.js from the machine, else a pinned copy in .venv)
web: $(WEB_BUILD)

## make run: build the web app if needed, migrate, serve site and API on http://$(HOST):$(PORT)
run: deps $(WEB_BUILD)
	$(BIN)/atlas db upgrade
	$(BIN)/atlas serve --host $(HOST) --port $(PORT)

## make test: lint, format check, types, then the whole suite (SQLite, plus PostgreSQL if reachable)
test: dev-deps $(WEB_BUILD)
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
	cd requirements && /tmp/atlas-pip-tools/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --no-emit-trusted-host --extra node -c main.txt \
		-o node.txt ../pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
