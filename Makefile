# The project's verbs. Every target sets up what it needs on a fresh clone: uv (pinned) in .tools/, then the
# virtual environment .venv/ from uv.lock. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.8
REDOCLY_CLI := @redocly/cli@2.77.0
# make diff runs Redocly many times a session (and its tests, dozens): installed once, not resolved by npx each time.
REDOCLY_BIN = $(TOOLS)/redocly-cli-2.77.0/node_modules/.bin/redocly
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
SYNCED := $(VENV)/.synced
REDOC_VERSION := 2.5.4
REDOC := $(TOOLS)/redoc-$(REDOC_VERSION)/package/bundles/redoc.standalone.js
DOCS := docs/index.html
RUN := $(UV) run --frozen --no-sync
PORT ?= 8000
HOST ?= 127.0.0.1
PROFILE ?= default
# fail: any broken claim fails the run; report: broken assumptions are reported, only the vendor's contract
# (and who may act for which account) fails it.
ASSUMPTIONS ?= $(or $(EP_ASSUMPTIONS),fail)
REPORTS := reports

# Never download a Python build: use the machine's 3.11+.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Redocly CLI (make lint, make diff) sends no telemetry and looks for no update: this network reaches only the
# package registries, and each attempt costs a second of waiting.
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
# The generator's ruff hooks must not leave caches inside generated/.
export RUFF_NO_CACHE := true
# Python's compiled modules are kept, in one place inside .tools/ (not .venv/, which uv must create itself): in a
# shell that sets PYTHONDONTWRITEBYTECODE, every Python process of the tests would compile (and pytest rewrite)
# schemathesis, hypothesis and the rest anew, about 5 s per contract run (BENCHMARKS.md).
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(TOOLS)/pycache
# ... and compiled once, on every core, as .venv is made: on a fresh clone, make test's three workers would each
# compile what they import at the same moment (about 6 s of processor time each).
# Best effort: a module that does not compile (a package's Python 2 example) fails it, and changes nothing else.
COMPILE = { $(VENV)/bin/python -m compileall -q -j 0 $(VENV)/lib src mock/src contract/src generated >/dev/null 2>&1 || true; }

GENERATE = $(RUN) openapi-python-client generate --path openapi.yaml --config openapi-python-client.yaml \
	--custom-template-path client-templates \
	--meta uv --fail-on-warning --overwrite

.PHONY: help install generate check-generated lint diff vendor-check test test-fast contract-test fuzz soak bench docs mock dist clean

help: ## List the targets, one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SYNCED): pyproject.toml mock/pyproject.toml contract/pyproject.toml uv.lock generated/pyproject.toml | $(UV)
	@# A .venv linked in from another checkout belongs to it: syncing here would repoint its editable installs.
	@if [ -L $(VENV) ]; then echo "$(VENV) is a link to another checkout's environment; using it as it is"; \
	else $(UV) sync --frozen && $(COMPILE) && touch $@; fi

install: $(SYNCED) ## Create .venv from uv.lock (every other target does this when needed)

generate: $(SYNCED) ## Regenerate the client in generated/ from openapi.yaml
	$(GENERATE) --output-path generated

check-generated: $(SYNCED) ## Fail, showing the diff, when generated/ is not what openapi.yaml produces
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GENERATE) --output-path "$$tmp/generated" >/dev/null; \
	if diff -ru generated "$$tmp/generated"; then \
		echo "generated/ is up to date with openapi.yaml"; \
	else \
		echo; echo "generated/ differs from what openapi.yaml produces (diff above): run 'make generate' and commit." >&2; \
		exit 1; \
	fi

lint: $(SYNCED) ## Validate and lint the spec (openapi-spec-validator, Redocly), then ruff and mypy
	$(RUN) openapi-spec-validator openapi.yaml mock-controls.yaml
	npx --yes $(REDOCLY_CLI) lint --config redocly.yaml openapi.yaml mock-controls.yaml
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

$(REDOCLY_BIN):
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/redocly-cli-2.77.0 $(REDOCLY_CLI)

diff: $(SYNCED) $(REDOCLY_BIN) ## List openapi.yaml's changes since BASE (a git ref, default HEAD; previous-release: the last commit of the previous info.version), breaking or not; fail unless info.version follows
	$(RUN) python -m release.spec_diff --base $(or $(BASE),HEAD) --redocly $(REDOCLY_BIN)

# make test runs its files side by side in TEST_WORKERS processes (pytest-xdist), a whole file to a process, so a
# file's shared servers and runs stay one (the fault runs are started together as their file begins). The
# end-to-end tests spend much of their time waiting on servers, the others keep the processors busy meanwhile.
# TEST_WORKERS=0: one process. The tools the tests' verbs install into .tools/ are installed first, once: side by
# side, two copies of the checkout would otherwise install the same one at once.
TEST_WORKERS ?= 3
PYTEST_SIDE_BY_SIDE = -n $(TEST_WORKERS) --dist loadfile

test: $(SYNCED) $(REDOC) $(REDOCLY_BIN) ## Run every test of the project (the contract suite against the bundled mock included)
	@mkdir -p $(REPORTS)
	@# Hermetic: tests/conftest.py sets aside every exported EP_* value (make contract-test reads them).
	$(RUN) pytest $(PYTEST_SIDE_BY_SIDE) --junitxml=$(REPORTS)/junit.xml

test-fast: $(SYNCED) $(REDOC) $(REDOCLY_BIN) ## The inner loop: every test but the slow end-to-end runs (marked slow), in about a minute
	$(RUN) pytest $(PYTEST_SIDE_BY_SIDE) -m "not slow" -p no:cacheprovider tests contract/src/ep_cart_contract/suite

contract-test: $(SYNCED) ## Check a server against openapi.yaml: the mock, or EP_BASE_URL (PROFILE=, ASSUMPTIONS=, STORE_PROFILE=)
	@# The installed command, as a team runs it from its own repository (ep-cart-contract --help).
	$(RUN) ep-cart-contract --profile $(PROFILE) --assumptions $(ASSUMPTIONS) --report-dir $(REPORTS) $(if $(STORE_PROFILE),--store-profile $(STORE_PROFILE))

twin-check: $(SYNCED) ## Replay a run's recording (RECORDING=, default reports/exchanges.har) against a fresh mock and compare (STORE_PROFILE=)
	$(RUN) ep-cart-twin-check $(or $(RECORDING),$(REPORTS)/exchanges.har) --report-dir $(REPORTS) $(if $(STORE_PROFILE),--store-profile $(STORE_PROFILE))

vendor-check: $(SYNCED) ## Compare newer vendor files (VENDOR_SPEC="FILE...") with the recorded statements and openapi.yaml; UPDATE=1 records them
	$(RUN) python -m release.vendor_check $(VENDOR_SPEC) $(if $(UPDATE),--update $(if $(VENDOR_COMMIT),--commit $(VENDOR_COMMIT)) $(if $(VENDOR_COMMITTED),--committed $(VENDOR_COMMITTED)))

fuzz: $(SYNCED) ## Send at least CASES (default 10000) invalid requests to the mock; any 5xx or surprise fails
	$(RUN) python -m tests.fuzz_mock --cases $(or $(CASES),10000)

soak: $(SYNCED) ## Run NIGHTS (default 7) nightly runs against one mock, a day apart; fails on any red, skip or leftover
	$(RUN) python -m tests.soak --nights $(or $(NIGHTS),7)

bench: $(SYNCED) ## Measure the mock (vs Prism, other servers, profiled), suite, client, set-up; writes reports/bench.json
	$(RUN) python -m bench.run $(BENCH_ARGS)

$(REDOC):
	@mkdir -p $(dir $(REDOC))
	cd $(TOOLS)/redoc-$(REDOC_VERSION) && npm pack --silent redoc@$(REDOC_VERSION) >/dev/null \
		&& tar -xzf redoc-$(REDOC_VERSION).tgz package/bundles/redoc.standalone.js && rm redoc-$(REDOC_VERSION).tgz

$(DOCS): openapi.yaml docs/build.py $(REDOC) | $(SYNCED)
	$(RUN) python docs/build.py --spec openapi.yaml --redoc $(REDOC) --output $(DOCS)

docs: $(DOCS) ## Render openapi.yaml into docs/index.html, one page that works offline

mock: $(SYNCED) $(DOCS) ## Run the mock on HOST:PORT (default 127.0.0.1:8000), docs at /docs; STORE_PROFILE=FILE: as that store
	$(RUN) python -m ep_cart_mock --host $(HOST) --port $(PORT) --docs $(DOCS) $(if $(STORE_PROFILE),--store-profile $(STORE_PROFILE))

dist: $(SYNCED) $(DOCS) ## Build the spec, the mock, the contract suite and the client as wheels and sdists into dist/
	rm -rf dist
	@# The mock's wheel carries the rendered API page, so the installed mock serves /docs with no checkout.
	mkdir -p mock/src/ep_cart_mock/docs && cp $(DOCS) mock/src/ep_cart_mock/docs/index.html
	$(UV) build --quiet --out-dir dist .
	$(UV) build --quiet --out-dir dist mock
	$(UV) build --quiet --out-dir dist contract
	$(UV) build --quiet --out-dir dist generated
	@ls dist

clean: ## Remove the virtual environment, tools, reports and dist/
	rm -rf $(VENV) $(TOOLS) reports dist .pytest_cache .mypy_cache .ruff_cache
