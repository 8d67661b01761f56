# The README's two commands: `make reports` and `make test`. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Run parameters: each is a field of helpers.config.Config, where its default and meaning live
# (`.venv/bin/python -m helpers --help` lists them). One given to make (`make reports OUT=out`)
# reaches the command as HELPERS_<NAME> in its environment, never through the shell: any folder
# name works, quotes and backticks included.
PARAMS := SEEDS OUT MODELS TRANSLATOR SUMMARISER_EN SUMMARISER_VI CACHE_DIR MEMORY BACKEND \
	SUMMARY_MAX_SENTENCES SUMMARY_MAX_WORDS GENERATION ENGINE CLUSTER WORKERS REVIEWS REVIEWER
$(foreach p,$(PARAMS),$(if $(filter-out undefined default automatic,$(origin $(p))),$(eval export HELPERS_$(p) = $$(value $(p)))))
# make would export a variable given on its command line under its own name too, expanding it
# (a `$(shell ...)` in a folder name would run): these go as HELPERS_<NAME> only, taken as written.
unexport $(PARAMS) MODEL_PACK LOCK
# A folder written by `models pack` (on a connected machine): its models, offline.
MODEL_PACK ?=
LOCK ?= models.lock.json
export HELPERS_LOCK = $(value LOCK)
# Build settings, not run parameters: PYTHON is the command that makes the venv, VENV its folder.
# They reach the shell as written (as CC does in any Makefile), so VENV must be one word: make's own
# targets cannot hold a space.
ifneq ($(words $(value VENV)),1)
$(error VENV="$(value VENV)" must be a folder name without spaces (it is a make target))
endif

# Stand-in models, conversions and the translation memory live in this cache.
export HELPERS_CACHE ?= $(CURDIR)/.cache
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export TOKENIZERS_PARALLELISM := false
# (Its value is taken as written, never expanded by make or the shell: any folder name works.)
ifneq ($(strip $(value MODEL_PACK)),)
export HF_HUB_CACHE := $(if $(filter /%,$(firstword $(value MODEL_PACK))),,$(CURDIR)/)$(value MODEL_PACK)/hub
export HF_HUB_OFFLINE := 1
endif

.PHONY: setup reports workbook test test-fast bench bench-translate bench-scale bench-pages models notebooks-sync lab

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml src/helpers/data/lab-overrides.json package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# The pages' search library (MiniSearch, pinned in package-lock.json) into node_modules/: the pages step copies it
	@command -v npm >/dev/null || { echo "npm is needed for the pages' search library: install Node.js 20 (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# JupyterLab's defaults for this project: no news prompt, no update check (both would call a website)
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp src/helpers/data/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

# The stages, then the stage notebooks (papermill), then every page into $(OUT)/html.
# A non-zero status of the command (1 fatal, 2 some inputs rejected) reaches the shell as make's own 2.
reports: setup
	@$(BIN)/python -m helpers reports --notebooks notebooks

# Every table of the run in $(OUT) as one workbook, $(OUT)/data/collection.xlsx (make reports then keeps it current).
workbook: setup
	@$(BIN)/python -m helpers workbook

# Every test: the lint and type gate first (ruff, mypy: configured in pyproject.toml), then unit tests,
# whole runs through the command and make, and nbval on the stored notebooks;
# in two test processes (pytest-xdist), a test file in one of them (its module fixtures made once).
test: setup
	$(BIN)/ruff check
	$(BIN)/mypy
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider \
		-n 2 --dist loadfile

# The lint and type gate, then the unit tests alone (no whole run, no notebook kernel): for day-to-day work.
test-fast: setup
	$(BIN)/ruff check
	$(BIN)/mypy
	$(BIN)/python -m pytest tests -m "not slow" -p no:cacheprovider -q

# On a connected machine: download the six models (only the files they need), write $(LOCK),
# convert them, and print the check table. Then `python -m helpers models pack --to DIR`.
models: setup
	$(BIN)/python -m helpers models fetch --lock "$$HELPERS_LOCK"

# JupyterLab on the project (notebooks/ open; the same cache and parameters as `make reports`),
# opening the reviewer's own copy of 06_review (notebooks/my-review/, ignored by git): reviewing
# never writes a tracked notebook. `make lab REVIEWER=anna` names the reviewer.
lab: setup
	@$(BIN)/python -m helpers.review.workcopy notebooks
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.file_to_run=my-review/06_review.ipynb --ServerApp.open_browser=$(if $(value CI),False,True) $(if $(filter 0,$(shell id -u)),--allow-root)

# Rewrite the paired .py files from the notebooks (after editing in JupyterLab).
# Each notebook's parameters cell is made anew from Config, and progress widgets are not stored.
notebooks-sync: setup
	@$(BIN)/jupytext --quiet --sync notebooks/[0-9][0-9]_*.ipynb
	@$(BIN)/python -c "import sys; from pathlib import Path; from helpers.notebooks.tidy import tidy_notebook; [tidy_notebook(Path(p)) for p in sys.argv[1:]]" notebooks/[0-9][0-9]_*.ipynb
	@$(BIN)/jupytext --quiet --sync notebooks/[0-9][0-9]_*.ipynb && echo "notebooks and their .py files are in sync"

# The whole model work (translation and both summarisers, full-shape models): naive vs the project's path.
# PEERS=argos,ct2-expert runs only those peers (minutes, not the hour; the last line names them).
bench: setup
	$(BIN)/python benchmarks/whole_job.py $${PEERS:+--peers "$$PEERS"}

# Translation alone, in more detail (clause cuts on and off).
bench-translate: setup
	$(BIN)/python benchmarks/translate_speed.py

# The whole job on 1,000 and 10,000 synthetic reports (demo models): a first run, a re-run with nothing
# new, two (day 2, day 3) with 10 new and 1 changed each; per stage seconds, model time, overhead per report, peak memory;
# the reading room in Chromium at 10,000 (SIZES=300,1000 for a shorter run).
bench-scale: setup
	$(BIN)/python benchmarks/scale.py --engine "$${HELPERS_ENGINE:-local}" --sizes "$${SIZES:-1000,10000}" --chromium

# The pages of 1,000 and 10,000 reports in Chromium: the index's time to usable, the search's first and next answers.
bench-pages: setup
	$(BIN)/python benchmarks/reading_room.py
