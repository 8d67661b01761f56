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
# # 07 · Entities: who, where, which organisation?
#
# Every person, organisation, place and cited document the run's reports name, found in each
# report's Vietnamese by underthesea's pretrained NER model (a CRF shipped inside the package)
# together with what the project knows for certain (the glossary's bodies, the cited documents,
# the names the checks protect), and merged across forms (`Bộ trưởng Tô Lâm` = `Tô Lâm`,
# `UBND tỉnh Nghệ An` = `Ủy ban nhân dân tỉnh Nghệ An`, `tỉnh Quảng Nam` = `Quảng Nam`). Each
# links to the reports that name it. A wrong entity can be corrected below: the correction is kept
# in `REVIEWS/entities.csv` and wins in every later run (docs/entities.md). This notebook is for
# JupyterLab: `make reports` does not run it. Set `REVIEWER` to your name (default `$USER`).

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

# %%
from IPython.display import HTML

from helpers.config import Config
from helpers.pipeline import run_stages
from helpers.entities.notebook import CorrectionPanel
from helpers.pages.entities import entities_body

cfg = Config.from_parameters(globals())
tables = run_stages(cfg, "entities", say=False).tables  # read back when current, else made now
entities, mentions, reports = tables["entities"], tables["mentions"], tables["reports"]
HTML(entities_body(entities, mentions, reports))

# %% [markdown]
# ## Correct an entity
#
# *rekind*: the entity is of another kind (value: `person`, `organisation`, `place` or `document`);
# *merge*: it is the same as another entity of its kind (value: that one's Vietnamese name);
# *reject*: it is not a name at all; *english*: its reviewed English name (value: the English).

# %%
CorrectionPanel(cfg, entities, REVIEWER)
