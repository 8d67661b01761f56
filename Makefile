# The README's two commands: `make reports` and `make test`. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SEEDS ?= seeds
OUT ?= build
MODELS ?= auto
BACKEND ?= ctranslate2

# Demo models and the translation memory are built into this cache, once.
export HELPERS_CACHE ?= $(CURDIR)/.cache
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup reports test bench notebooks-sync

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Run every numbered notebook with papermill and export HTML to $(OUT)/html.
# Exit status 2 when some input was rejected (the rest is still written).
reports: setup
	$(BIN)/python -m helpers reports --seeds "$(SEEDS)" --out "$(OUT)" --models "$(MODELS)" --backend "$(BACKEND)" --notebooks notebooks

# Unit tests and nbval on the stored notebooks.
test: setup
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

# Rewrite the paired .py files from the notebooks (after editing in JupyterLab).
notebooks-sync: setup
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.ipynb

# Translation speed: naive transformers loop vs the project's path (cold and warm), peak memory.
bench: setup
	$(BIN)/python benchmarks/translate_speed.py
