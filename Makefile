# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test bench bench-adversarial accuracy calibration clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,serve]"
	touch $(STAMP)

demo: $(STAMP)  ## scan the bundled example label and print the report
	$(BIN)/milia-scan scan < examples/night-cream.txt

test: $(STAMP)  ## lint, then the whole test suite (what CI runs)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis

bench: $(STAMP)  ## speed: floor, naive baseline, milia-scan (BENCH_ARGS="--rows 1000000" for 1M rows)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

bench-adversarial: $(STAMP)  ## adversarial label shapes at 10 KB, 100 KB, 1 MB: is every stage linear? (ADV_ARGS="--quick")
	$(BIN)/python benchmarks/adversarial.py $(ADV_ARGS)

accuracy: $(STAMP)  ## precision / recall per noise kind, ours vs a naive baseline; then the condition profiles' verdicts
	$(BIN)/python benchmarks/accuracy.py $(ACCURACY_ARGS)
	$(BIN)/python benchmarks/profiles_accuracy.py

calibration: $(STAMP)  ## band shares by product type before/after issue #11, and the archetype table (docs/calibration.md)
	$(BIN)/python benchmarks/calibration.py $(CALIBRATION_ARGS)
