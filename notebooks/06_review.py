# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Review: which English is right, and which must be corrected?
#
# The machine English of a run, sentence by sentence, for a person to approve or correct. At the
# top: how much is reviewed, who you are (remembered for next time) and how many edits are not
# saved yet. Pick a report (type to search its title or date) or all reports; "unreviewed only"
# and a flag narrow the list, **next unreviewed** jumps on. Each card gives the Vietnamese, where
# it occurs, the English with its flags in words, and a box: **Approve** keeps the English as
# shown, **Save** keeps what the box holds, **Revert** drops your edit. An edit not saved stays in
# its box through changes of report, page or filter, and across sessions. Reviews are files of
# the project (`REVIEWS`, default `reviews/`; commit them); `make reports` then uses them
# everywhere. `make lab` opens your own copy of this notebook (`notebooks/my-review/`, not
# tracked by git). Set `REPORT_ID` to start with a report.

# %% tags=["parameters"]
# Run parameters. `make reports` sets every one of them; here, None takes $HELPERS_<NAME>
# from the environment, else the default named here (the Config fields, helpers/config.py).
SEEDS = None  # folder of the reports (.txt, .md, .html, .docx, .pdf); default: seeds
OUT = None  # output folder; default: build
MODELS = None  # real weights, demo stand-ins, or auto (real where available, else demo); default: auto
TRANSLATOR = None  # the translation model (opus-mt, nllb, m2m100, vinai); default: opus-mt
SUMMARISER_EN = None  # summarises the English (distilbart, mt5-xlsum); default: distilbart
SUMMARISER_VI = None  # summarises the Vietnamese (distilbart, mt5-xlsum); default: mt5-xlsum
CACHE_DIR = None  # stand-ins, conversions and the translation memory; default: .cache, or $HELPERS_CACHE
MEMORY = None  # the translation memory; default: CACHE_DIR/translation-memory.sqlite
BACKEND = None  # ctranslate2 (int8, fast) or transformers (fp32 reference); default: ctranslate2
SUMMARY_MAX_SENTENCES = None  # a summary's length bound, in sentences; default: 3
SUMMARY_MAX_WORDS = None  # a summary's length bound, in words; default: 80
GENERATION = None  # decoding overrides of the models (docs/models.md); default: none: each model its own
ENGINE = None  # where the work runs: local (this machine) or dask; default: local
CLUSTER = None  # with the dask engine: a scheduler address; default: none: a local cluster
WORKERS = None  # with the dask engine and no CLUSTER: local workers; default: 0: one per core
REVIEWS = None  # the reviewed English, kept in the project (docs/review.md); default: reviews
REVIEWER = None  # who reviews in notebook 06 and `review import` (docs/review.md); default: the name the review panel last had, else the login name
REPORT_ID = None  # a report_id of OUT/data/reports.csv (default: all flagged sentences of the run)

# %%
from IPython.display import Markdown

from helpers.config import Config
from helpers.pages.stage import pages_note
from helpers.review.notebook import open_panel

cfg = Config.from_parameters(globals())
panel = open_panel(cfg, REPORT_ID)
panel

# %% [markdown]
# Saving writes `REVIEWS/sentences.tmx` at once. The report pages, `sentences.csv`, the English
# texts and the summaries take the reviewed English at the next `make reports`.

# %%
Markdown(pages_note(cfg) or "Run `make reports` after saving to make the pages, data files and summaries again "
         "with the reviewed English.")
