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
# # 04 · One report, ready to read
#
# The page an analyst reads for one report: its summaries by each method, its metadata,
# the documents it cites, the glossary terms used, which sentences are flagged, the
# Vietnamese and the English side by side, its photo captions, and how it was produced.
# Set `REPORT_ID` in the parameters cell to look at another report. `make reports` renders
# the same page for every report into `OUT/html/` without running this notebook.

# %% tags=["parameters"]
# Run parameters. `make reports` sets every one of them; here, None takes $HELPERS_<NAME>
# from the environment, else the project default (README, "Make variables").
SEEDS = None  # folder of *.txt reports (default: seeds/)
OUT = None  # output folder (default: build/)
MODELS = None  # real, demo or auto (default: auto)
TRANSLATOR = None  # opus-mt (default), nllb, m2m100 or vinai
SUMMARISER_EN = None  # distilbart (default)
SUMMARISER_VI = None  # mt5-xlsum (default)
CACHE_DIR = None  # stand-in models, conversions, memory (default: .cache/)
MEMORY_PATH = None  # translation memory (default: in CACHE_DIR)
BACKEND = None  # ctranslate2 (default) or transformers
SUMMARY_MAX_SENTENCES = None  # default: 3
SUMMARY_MAX_WORDS = None  # default: 80
GENERATION = None  # generation overrides, see README (default: none, each model its own)
ENGINE = None  # local (default) or dask
CLUSTER = None  # with dask: a scheduler address (default: a local cluster)
WORKERS = None  # with dask and no cluster: worker processes (default 0: one per core)
REPORT_ID = None  # a report_id of OUT/data/reports.csv (default: the first report)

# %%
from IPython.display import HTML

from helpers.config import Config
from helpers.report import load_outputs, pick_report, report_html

cfg = Config.from_parameters(globals())
outputs = load_outputs(cfg)
REPORT_ID = pick_report(outputs, REPORT_ID)
HTML(report_html(outputs, REPORT_ID))
