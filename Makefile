# Two commands: `make demo` and `make test`. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.duckdb
# the synthetic pan-cancer database the tumor-vs-normal and association benchmarks share (built by the first if missing)
PANCAN_DB ?= $(HOME)/.cache/omicskb-bench/pancan.duckdb

.PHONY: install demo test test-realdata check-wheel bench clean

$(BIN)/omicskb: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(BIN)/omicskb

demo: install
	rm -f $(DEMO_DB)
	$(BIN)/omicskb --db $(DEMO_DB) init
	$(BIN)/omicskb --db $(DEMO_DB) --quiet load seeds seeds
	$(BIN)/omicskb --db $(DEMO_DB) gene IL7
	$(BIN)/omicskb --db $(DEMO_DB) cohorts
	$(BIN)/omicskb --db $(DEMO_DB) values IL7 --cohort UCEC
	$(BIN)/omicskb --db $(DEMO_DB) derive
	$(BIN)/omicskb --db $(DEMO_DB) query gene_tumor_normal -p gene=IL7 --format table
	$(BIN)/omicskb --db $(DEMO_DB) query gene_cis -p gene=IL7 --format table
	$(BIN)/omicskb --db $(DEMO_DB) query trans_top_partners -p gene=IL7 -p omics=rna -p top=5 --format table

test: install
	$(BIN)/pytest -q --durations=25

test-realdata: install
	OMICSKB_REALDATA=$${OMICSKB_REALDATA:-$$HOME/.cache/omicskb-realdata} $(BIN)/pytest -q -m realdata

# The wheel built from HEAD, installed in fresh venvs outside the repository (CI runs it after `make test`).
check-wheel:
	bash scripts/check_wheel.sh

bench: install
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.cohort_load $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.long_form $(LONG_FORM_ARGS)
	mkdir -p $(dir $(PANCAN_DB))
	$(BIN)/python -m benchmarks.tumor_normal --db $(PANCAN_DB) $(TUMOR_NORMAL_ARGS)
	$(BIN)/python -m benchmarks.associations --db $(PANCAN_DB) $(ASSOCIATIONS_ARGS)

clean:
	rm -rf $(VENV) $(DEMO_DB) *.egg-info
