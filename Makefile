# The two commands: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# checkov's dependencies conflict with requirements-dev.txt: it gets a venv of its own.
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed
# Spectral (the API Design Rules linter), axe-core and the NL Design System CSS from the npm registry,
# at the versions package-lock.json pins.
NODE_STAMP := node_modules/.installed
DEPLOYABLE_STAGES := dev prod
PORT ?= 8000
OUTBOX_PORT ?= 8025
# The population register (BRP): on starts a local stand-in; off runs the stage without it (docs/brp.md).
BRP ?= on
# With BRP on, how moves and deaths are followed: update-api, ask (search every child nightly) or off.
BRP_FOLLOW ?= update-api
# Seconds a signal accepted while the BRP was down waits for its recheck, and between tries (deployed: 900, then 1800).
RECHECK_WAIT ?= 30
STAGE ?= dev

.PHONY: run test check lint typecheck package scan contract adr schemathesis unit integration e2e browser browser-deps console-assets bench clean

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

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js 20 with npm (Spectral, axe-core, the NL Design System CSS); install them, e.g. apt-get install nodejs npm" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m scripts.local_stack --port $(PORT) --outbox-port $(OUTBOX_PORT) --brp $(BRP) --brp-follow $(BRP_FOLLOW) --recheck-wait $(RECHECK_WAIT)

test: $(STAMP) lint typecheck browser-deps
	for stage in $(DEPLOYABLE_STAGES); do $(MAKE) --no-print-directory package STAGE=$$stage || exit 1; done
	$(MAKE) --no-print-directory scan
	$(MAKE) --no-print-directory contract
	$(BIN)/python -m pytest

# Lint, types and the fast unit tests, in seconds: what to run before each commit. make test runs everything.
check: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -m "not integration and not e2e and not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# chalice package + infra/template.json into out/$(STAGE)/ (git-ignored), then cfn-lint: see docs/operations.md, Deploying to AWS.
# sam-mutual-tls.json is the same template with the mutual TLS option on (docs/api.md), linted and scanned too.
package: $(STAMP)
	$(BIN)/python -m infra.package --stage $(STAGE)
	$(BIN)/cfn-lint out/$(STAGE)/sam.json out/$(STAGE)/sam-mutual-tls.json

# checkov on what `make package` wrote for every deployable stage, offline. Any failed check fails:
# a check that does not fit is skipped in infra/template.json, with the reason next to it.
scan: $(SCAN_STAMP)
	@for stage in $(DEPLOYABLE_STAGES); do \
		test -f out/$$stage/sam-mutual-tls.json || { echo "out/$$stage/sam*.json is missing: make package STAGE=$$stage" >&2; exit 1; }; \
	done
	$(SCAN_VENV)/bin/checkov $(foreach stage,$(DEPLOYABLE_STAGES),--file out/$(stage)/sam.json --file out/$(stage)/sam-mutual-tls.json) \
		--framework cloudformation --skip-download --quiet --compact

# The served OpenAPI document against the Logius API Design Rules (Spectral) and schemathesis with every
# check, on the local stack started on free loopback ports and stopped after; see scripts/contract.py.
contract: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m scripts.contract

adr: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m scripts.contract adr

schemathesis: $(STAMP)
	$(BIN)/python -m scripts.contract schemathesis

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

# The browser tests drive Debian's Chromium (never a downloaded browser) and inject axe-core from the
# pinned npm packages; after this step they run offline.
browser-deps: $(NODE_STAMP)
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
		else echo "Chromium is missing: run 'sudo apt-get install -y chromium', then make test again" >&2; exit 1; fi; }

# Copies the NL Design System CSS from the pinned npm packages into the package, which serves it
# itself; run it after changing their versions in package.json (a test compares the copies).
console-assets: $(NODE_STAMP)
	cp node_modules/@utrecht/component-library-css/dist/index.css chalicelib/console/static/utrecht-components.css
	cp node_modules/@utrecht/design-tokens/dist/theme.css chalicelib/console/static/utrecht-theme.css

browser: $(STAMP) browser-deps
	$(BIN)/python -m pytest tests/browser

# The matching and lifecycle benchmarks load 20,000 signals into the emulator, fan_out 10,000: minutes each.
# cold_start measures out/dev/deployment.zip, so the dev stage is packaged first.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.aws_calls
	$(BIN)/python -m benchmarks.capacity
	$(MAKE) --no-print-directory package STAGE=dev
	$(BIN)/python -m benchmarks.cold_start
	$(BIN)/python -m benchmarks.phone_numbers
	$(BIN)/python -m benchmarks.brp_calls
	$(BIN)/python -m benchmarks.access
	$(BIN)/python -m benchmarks.matching
	$(BIN)/python -m benchmarks.lifecycle
	$(BIN)/python -m benchmarks.fan_out
	$(BIN)/python -m benchmarks.answers
	$(BIN)/python -m benchmarks.token_use

clean:
	rm -rf $(VENV) $(SCAN_VENV) node_modules .local out .schemathesis .pytest_cache .mypy_cache .ruff_cache
