# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13 on Amazon Linux 2023; a pyenv shim that names a version it lacks does not count.
PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do $$p -c '' 2>/dev/null && { command -v $$p || echo $$p; } && break; done)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
# checkov pins boto3 and others far from ours: it lives in a venv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
STAGE ?= dev
DRY_RUN ?=
dry_run = $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run)

.PHONY: help setup run reminders load bench-console test lint typecheck unit package deploy destroy staff staff-remove rotate-receipt-key checkov clean web web-check browser

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(CHECKOV): requirements-checkov.txt
	@$(if $(PYTHON),,echo "Godkend needs Python 3.13: install it (e.g. pyenv install 3.13) or set PYTHON=/path/to/python3.13"; exit 1)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $(CHECKOV)

$(READY): requirements.txt requirements-dev.txt
	@$(if $(PYTHON),,echo "Godkend needs Python 3.13: install it (e.g. pyenv install 3.13) or set PYTHON=/path/to/python3.13"; exit 1)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "Godkend needs Python 3.13; set PYTHON=/path/to/python3.13")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(READY)

setup: $(READY)  ## create .venv and install everything

# The console (web/): npm ci from the lock file, the typed API client generated from the app's OpenAPI
# document (written offline by Python, no AWS call), type-check, then vite build into web/dist/. Rebuilt
# only when the console or the API's routes change.
WEB_READY := web/node_modules/.ready
WEB_SOURCES := $(shell find web/src web/tests web/config -type f ! -name schema.d.ts 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/.size-limit.js
API_SOURCES := app.py infra/openapi_dump.py $(shell find chalicelib -name '*.py' 2>/dev/null)

$(WEB_READY): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "The console needs Node.js 20+ and npm: apt-get install -y nodejs npm"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: $(READY) $(WEB_READY) $(WEB_SOURCES) $(API_SOURCES)
	$(BIN)/python -m infra.openapi_dump web/openapi.json
	cd web && npm run build

web: web/dist/index.html  ## build the console (web/) into web/dist/

web-check: $(WEB_READY) web  ## the console's ESLint and Vitest unit tests
	cd web && npm run lint && npm test

# The browser tests drive Debian's Chromium (Playwright's own download cannot work here).
browser:  ## make sure Debian's Chromium is there for the browser tests (installs it when run as root)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && echo "Installing Chromium for the browser tests" && \
	  { apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; }; } || \
	  { echo "The browser tests need Chromium: sudo apt-get install -y chromium"; exit 1; }

run: setup web  ## start the whole service locally on the embedded AWS emulator, seeded with a demo
	$(BIN)/python -m infra.local.run

reminders: setup  ## run the scheduled jobs on the running local stack now (AS_OF=YYYY-MM-DD: as of that day)
	$(BIN)/python -m infra.local.jobs $(if $(AS_OF),--as-of $(AS_OF))

load: setup  ## measure a bounded mixed load on the running local stack (URL=... LOAD_CONFIG=...: a deployed stage)
	$(BIN)/python -m bench.load $(if $(URL),--url $(URL)) $(if $(LOAD_CONFIG),--config $(LOAD_CONFIG)) $(LOAD_ARGS)

bench-console: setup web browser  ## time the console's first visit against a blank page, unthrottled and on Fast 3G
	$(BIN)/python -m bench.console $(BENCH_ARGS)

# The suite runs in pytest-xdist's workers, a test file to a worker (its module's fixtures with it); then the
# least-privilege check reads what every worker recorded (tests/recorder.py, tests/test_least_privilege.py).
RECORDING := build/recorded-calls

test: setup lint typecheck $(CHECKOV) web-check browser  ## lint, type-check and run the whole test suite, the console's and checkov included
	rm -rf $(RECORDING)
	GODKEND_RECORDING_DIR=$(RECORDING) $(BIN)/python -m pytest -n auto --dist loadfile -m "not after_all" --durations=10
	GODKEND_RECORDING_DIR=$(RECORDING) $(BIN)/python -m pytest -m after_all tests/test_least_privilege.py

lint: setup  ## ruff, and the layers' import contracts (.importlinter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: setup  ## mypy
	$(BIN)/mypy app.py chalicelib infra tests bench

unit: setup  ## only the fast tests
	$(BIN)/python -m pytest -m "not e2e and not infra"

package: setup  ## build the CloudFormation template for STAGE (default dev) into build/STAGE
	$(BIN)/python -m infra.package --stage $(STAGE) --out build/$(STAGE)

checkov: setup $(CHECKOV)  ## package prod and run checkov on it (what `make test` checks too)
	$(BIN)/python -m infra.package --stage prod --out build/prod
	$(CHECKOV) -f build/prod/sam.json --framework cloudformation --compact --quiet

deploy: setup  ## package and deploy STAGE (dev|prod) to AWS; DRY_RUN=1 prints the AWS commands instead
	$(BIN)/python -m infra.deploy deploy --stage $(STAGE) $(dry_run) $(if $(BUCKET),--bucket $(BUCKET)) \
		$(if $(filter 1 true yes,$(PRODUCTION_CONCURRENCY)),--production-concurrency) \
		$(foreach parameter,$(PARAMS),--parameter $(parameter))

destroy: setup  ## delete STAGE's stack (never prod; the data is kept); DRY_RUN=1 prints the commands
	$(BIN)/python -m infra.deploy destroy --stage $(STAGE) $(dry_run)

staff: setup  ## create a staff login: make staff EMAIL=... MOBILE=+45... [NAME="First Last"] STAGE=local|dev|prod
	$(BIN)/python -m infra.staff --stage $(STAGE) --email "$(EMAIL)" --mobile "$(MOBILE)" $(if $(NAME),--name "$(NAME)")

staff-remove: setup  ## offboard a staff member: make staff-remove EMAIL=... STAGE=local|dev|prod [REASON="..."]
	$(BIN)/python -m infra.staff remove --stage "$(STAGE)" --email "$(EMAIL)" $(if $(REASON),--reason "$(REASON)")

rotate-receipt-key: setup  ## add a new receipt signing key (the first, if none): make rotate-receipt-key STAGE=local|dev|prod
	$(BIN)/python -m infra.receipt_keys --stage "$(STAGE)"

clean:  ## remove the virtual environment and local state
	rm -rf $(VENV) $(CHECKOV_VENV) .local build .chalice/deployments web/node_modules web/dist
