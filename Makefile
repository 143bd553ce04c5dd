# orderdesk — `make run` serves the app, `make test` runs every check. `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/orderdesk_test
PYTEST_WORKERS ?= 2
export ORDERDESK_VAR_DIR ?= $(CURDIR)/var
export ORDERDESK_NODE_MODULES ?= $(CURDIR)/node_modules

.PHONY: help run serve install install-dev assets messages static secret migrate demo \
        test lint test-sqlite test-postgres test-browser bench fmt lock clean browser-deps fonts

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# --- set-up --------------------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.run-installed: $(BIN)/python requirements/run.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements/dev.lock
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.run-installed assets messages static fonts ## Install the app and its assets into .venv
install-dev: $(VENV)/.dev-installed assets messages fonts ## Install the app plus test and lint tools
assets: node_modules/.installed

messages: $(VENV)/.run-installed ## Compile translations (.po -> .mo)
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext; }
	cd src/orderdesk && DEBUG=1 ../../$(BIN)/django-admin compilemessages --settings orderdesk.config.settings -v 0

fonts: ## Chinese TrueType font for PDFs (order confirmations): fonts-wqy-microhei
	@test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei; }

static: $(VENV)/.run-installed assets ## Collect static files for whitenoise
	DEBUG=1 $(BIN)/orderdesk manage collectstatic --noinput -v 0

secret: ## Generate var/secret_key once (kept across runs)
	@mkdir -p var && [ -s var/secret_key ] || { $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key && chmod 600 var/secret_key; }

migrate: secret install ## Create or upgrade the database
	$(BIN)/orderdesk migrate --verbosity 0

demo: migrate ## Load the demo data if the database is empty
	$(BIN)/orderdesk demo --if-empty

run: demo ## Install, migrate, load demo data and serve on http://127.0.0.1:8000
	@echo ""
	@echo "orderdesk is starting on http://$(HOST):$(PORT)/"
	@$(BIN)/orderdesk logins
	@echo ""
	$(BIN)/orderdesk serve --host $(HOST) --port $(PORT)

# --- checks --------------------------------------------------------------------------------
test: lint test-sqlite test-postgres test-browser ## Lint, then the suite on SQLite, PostgreSQL and in Chromium

lint: install-dev ## ruff, mypy, import contracts, migrations up to date
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/orderdesk manage makemigrations --check --dry-run -v 0

test-sqlite: install-dev ## The suite on SQLite
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser"

test-postgres: install-dev ## The suite on PostgreSQL, when one is reachable
	@if $(BIN)/python -m orderdesk.config.pgcheck "$(TEST_DATABASE_URL)"; then \
	  DATABASE_URL="$(TEST_DATABASE_URL)" TEST_DATABASE_URL="$(TEST_DATABASE_URL)" \
	    $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser"; \
	else echo "PostgreSQL not reachable at $(TEST_DATABASE_URL): PostgreSQL run skipped"; fi

browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

test-browser: install-dev static browser-deps ## Browser tests in Chromium (Playwright)
	$(BIN)/pytest -m browser -p no:xdist

bench: install-dev ## Run the benchmarks and print a table
	$(BIN)/python -m bench

fmt: install-dev ## Format the code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

lock: $(BIN)/python ## Re-pin requirements/*.lock from pyproject.toml
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links -c requirements/dev.lock -o requirements/run.lock pyproject.toml

clean: ## Remove the virtualenv, node_modules and build output (keeps var/)
	rm -rf $(VENV) node_modules build *.egg-info src/*.egg-info
