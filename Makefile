# The two commands of the README's quick start, and their parts.
#   make test   create .venv, install cqlang with its lsp and arrow extras and test deps, lint, type-check, test
#   make demo   create .venv, install, run the main job on the built-in emulator

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help test demo lint typecheck pytest bench wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[lsp,arrow,test]'
	touch $(STAMP)

lint: $(STAMP) ## ruff check, ruff format --check and lint-imports (the layers)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP) ## mypy --strict on cqlang/
	$(BIN)/mypy --strict cqlang

pytest: $(STAMP) ## the whole test suite (one file: .venv/bin/python -m pytest tests/test_x.py -x; addopts has -q)
	$(BIN)/python -m pytest

test: lint typecheck pytest ## lint, typecheck and pytest: what CI runs

demo: $(STAMP) ## run the main job against the built-in emulator
	$(BIN)/python -m cqlang.demo

# The benchmarks, each printing ratios measured side by side (never
# asserted in tests). The peers of bench_peers.py are installed here, into
# .venv: they are neither dependencies of cqlang nor needed by `make test`.
bench: $(STAMP) ## print the benchmarks (ratios measured side by side)
	$(BIN)/python -m pip install -q -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/bench_compile.py
	$(BIN)/python benchmarks/bench_peers.py
	$(BIN)/python benchmarks/bench_evaluator.py
	$(BIN)/python benchmarks/bench_repl.py
	$(BIN)/python benchmarks/bench_client.py
	$(BIN)/python benchmarks/bench_lsp.py
	$(BIN)/python benchmarks/bench_planner.py
	$(BIN)/python benchmarks/bench_refs.py
	$(BIN)/python benchmarks/bench_diagnostics.py
	$(BIN)/python benchmarks/bench_output.py

# Build the wheel, install it in a clean venv and compile from there: proves
# the grammar and the generated parse tables ship inside the wheel, and that
# parsing there never imports lark.
wheel-check: $(STAMP) ## build the wheel, install it in a clean venv, compile from there
	rm -rf dist .wheel-venv
	$(BIN)/python -m pip wheel -q --no-deps -w dist .
	$(PYTHON) -m venv .wheel-venv
	.wheel-venv/bin/python -m pip install -q dist/cqlang-*.whl
	cd / && out="$$($(CURDIR)/.wheel-venv/bin/cqlang compile 'state = OPEN')" && echo "$$out" && \
	  test "$$out" = '[{"property": "state", "value": ["OPEN"]}]'
	cd / && $(CURDIR)/.wheel-venv/bin/python -c "import sys, cqlang, cqlang.parser as p; cqlang.check('state = OPEN'); assert p.backend_name() == 'cqlang._parse_tables', p.backend_name(); assert 'lark' not in sys.modules, 'lark imported'; print('parse tables in the wheel, no lark: ok')"

clean: ## remove .venv, the wheel venv, build output and caches
	rm -rf $(VENV) .wheel-venv dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis

# `make help`: every target with a `## what it does` comment on its line.
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
