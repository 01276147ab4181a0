# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lambda runs python3.13 on Amazon Linux 2023; a pyenv shim that names a version it lacks does not count.
PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do $$p -c '' 2>/dev/null && { command -v $$p || echo $$p; } && break; done)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
STAGE ?= dev

.PHONY: help setup run reminders load test lint typecheck unit package clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(READY): requirements.txt requirements-dev.txt
	@$(if $(PYTHON),,echo "Godkend needs Python 3.13: install it (e.g. pyenv install 3.13) or set PYTHON=/path/to/python3.13"; exit 1)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "Godkend needs Python 3.13; set PYTHON=/path/to/python3.13")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(READY)

setup: $(READY)  ## create .venv and install everything

run: setup  ## start the whole service locally on the embedded AWS emulator, seeded with a demo
	$(BIN)/python -m infra.local.run

reminders: setup  ## run the scheduled jobs on the running local stack now (AS_OF=YYYY-MM-DD: as of that day)
	$(BIN)/python -m infra.local.jobs $(if $(AS_OF),--as-of $(AS_OF))

load: setup  ## measure a bounded mixed load on the running local stack (URL=... LOAD_CONFIG=...: a deployed stage)
	$(BIN)/python -m bench.load $(if $(URL),--url $(URL)) $(if $(LOAD_CONFIG),--config $(LOAD_CONFIG)) $(LOAD_ARGS)

test: setup lint typecheck  ## lint, type-check and run the whole test suite
	$(BIN)/python -m pytest

lint: setup  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup  ## mypy
	$(BIN)/mypy app.py chalicelib infra tests bench

unit: setup  ## only the fast tests
	$(BIN)/python -m pytest -m "not e2e and not infra"

package: setup  ## build the CloudFormation template for STAGE (default dev) into build/STAGE
	$(BIN)/python -m infra.package --stage $(STAGE) --out build/$(STAGE)

clean:  ## remove the virtual environment and local state
	rm -rf $(VENV) .local build .chalice/deployments
