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
REPORT_ID = None  # a report_id of OUT/data/reports.csv (default: the first report)

# %%
from IPython.display import HTML

from helpers.config import Config
from helpers.pages.report import load_outputs, pick_report, report_html
from helpers.pipeline import run_stages

cfg = Config.from_parameters(globals())
run_stages(cfg, say=False)  # the stages' output read back when current, else made now
outputs = load_outputs(cfg)
REPORT_ID = pick_report(outputs, REPORT_ID)
HTML(report_html(outputs, REPORT_ID))
