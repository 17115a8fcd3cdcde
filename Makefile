# One target per job. `make demo` sets everything up and runs the main job; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo setup test test-all lint typecheck synth bench

demo: setup
	$(BIN)/rehearsal demo

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,embeddings]'
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest -q

test-all: setup
	$(BIN)/python -m pytest -q -m ''

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy
	$(BIN)/mypy infra app.py benchmarks
	for handler in functions/*/handler.py; do $(BIN)/mypy "$$handler" || exit 1; done

# The real CDK CLI over the app (no AWS account needed): cdk-nag runs, the dependencies layer is built with pip.
synth: setup
	cd infra && PATH="$(abspath $(BIN)):$$PATH" JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 \
		AWS_DEFAULT_REGION="$${AWS_DEFAULT_REGION:-us-east-1}" \
		npx --yes aws-cdk@2 synth --quiet

bench: setup
	$(BIN)/python benchmarks/runtime_overhead.py
