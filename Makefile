# The two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# checkov's dependencies conflict with requirements-dev.txt: it gets a venv of its own.
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed
DEPLOYABLE_STAGES := dev prod
PORT ?= 8000
OUTBOX_PORT ?= 8025
STAGE ?= dev

.PHONY: run test check lint typecheck package scan unit integration e2e bench clean

# Built anew when the requirements change, so a package dropped from them is gone from the venv too.
$(STAMP): requirements.txt requirements-dev.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.2.1
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

$(SCAN_STAMP): requirements-scan.txt
	rm -rf $(SCAN_VENV)
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip==26.2.1
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	touch $(SCAN_STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m scripts.local_stack --port $(PORT) --outbox-port $(OUTBOX_PORT)

test: $(STAMP) lint typecheck
	for stage in $(DEPLOYABLE_STAGES); do $(MAKE) --no-print-directory package STAGE=$$stage || exit 1; done
	$(MAKE) --no-print-directory scan
	$(BIN)/python -m pytest

# Lint, types and the fast unit tests, in seconds: what to run before each commit. make test runs everything.
check: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -m "not integration and not e2e and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# chalice package + infra/template.json into out/$(STAGE)/ (git-ignored), then cfn-lint: see the README, Deploying to AWS.
package: $(STAMP)
	$(BIN)/python -m infra.package --stage $(STAGE)
	$(BIN)/cfn-lint out/$(STAGE)/sam.json

# checkov on what `make package` wrote for every deployable stage, offline. Any failed check fails:
# a check that does not fit is skipped in infra/template.json, with the reason next to it.
scan: $(SCAN_STAMP)
	@for stage in $(DEPLOYABLE_STAGES); do \
		test -f out/$$stage/sam.json || { echo "out/$$stage/sam.json is missing: make package STAGE=$$stage" >&2; exit 1; }; \
	done
	$(SCAN_VENV)/bin/checkov $(foreach stage,$(DEPLOYABLE_STAGES),--file out/$(stage)/sam.json) \
		--framework cloudformation --skip-download --quiet --compact

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

# The matching and lifecycle benchmarks load 20,000 signals into the emulator: minutes each.
# cold_start measures out/dev/deployment.zip, so the dev stage is packaged first.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.aws_calls
	$(MAKE) --no-print-directory package STAGE=dev
	$(BIN)/python -m benchmarks.cold_start
	$(BIN)/python -m benchmarks.phone_numbers
	$(BIN)/python -m benchmarks.access
	$(BIN)/python -m benchmarks.matching
	$(BIN)/python -m benchmarks.lifecycle

clean:
	rm -rf $(VENV) $(SCAN_VENV) .local out .pytest_cache .mypy_cache .ruff_cache
