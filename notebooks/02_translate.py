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
# # 02 · Translate: every sentence in English, terms and codes kept
#
# This notebook translates every title, body and caption sentence of every report
# with the configured translation model. It answers: what does each report say in
# English, which sentences need a second look (flags), which glossary terms were
# used, which documents are cited, and how much came from the translation memory.
# Nothing is truncated: sentences over 128 tokens are cut at clauses, translated and joined.

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
import pandas as pd
from IPython.display import Markdown, display

from helpers.config import Config
from helpers.notebooks.overview import TALLIED, exploded, flag_codes, most, sample, tally
from helpers.pages.outputs import demo_note
from helpers.pages.report import legend_table
from helpers.pages.stage import pages_note
from helpers.pipeline import run_stages
from helpers.pages.tables import Style, show

cfg = Config.from_parameters(globals())
run = run_stages(cfg, "translate", say=False)  # read back when current, else made now
sentences, model, stats = run.tables["sentences"], run.models["translate"], run.records["translate"]
Style()

# %%
display(Markdown(
    demo_note() if model["demo"] else f"Model: `{model['source']}` revision `{model['revision']}`."
))

# %% [markdown]
# ## How much was translated, and how much came from memory
# This page summarises the collection, however large: each report's page (linked from the index)
# has its sentences side by side.

# %%
show(pd.DataFrame(
    {"reports": [sentences["report_id"].nunique()], "sentences": [stats["sentences"]],
     "from memory": [stats["from_memory"]], "pieces generated": [stats["generated"]],
     "generate calls": [stats["generate_calls"]], "split sentences": [stats["split_sentences"]]}
))

# %% [markdown]
# ## Flags: how many sentences and reports each
# Numbers, dates, codes and names are compared as values (`June 22` for `22/6` is no flag);
# what each flag means is in the legend below.

# %%
flags = flag_codes(sentences[["report_id", "sentence_no", "flags"]])
show(tally(flags, ["flag"], "sentences")) if len(flags) else Markdown("No flags.")

# %%
show(legend_table(sentences["flags"].drop_duplicates().tolist()))

# %% [markdown]
# ## The most flagged reports

# %%
per_report = sentences.assign(flagged=sentences["flags"].fillna("") != "").groupby("report_id").agg(
    sentences=("sentence_no", "size"), flagged=("flagged", "sum")).reset_index()
show(most(per_report[per_report["flagged"] > 0], "flagged")) if len(flags) else Markdown("No flags.")

# %% [markdown]
# ## Misspellings normalised before translation (the commonest first)

# %%
# NBVAL_CHECK_OUTPUT
fixes = flags[flags["flag"] == "normalised"].rename(columns={"detail": "fix"})
show(tally(fixes, ["fix"], "sentences"), max_rows=TALLIED) if len(fixes) else Markdown("No misspelling was normalised.")

# %% [markdown]
# ## Glossary terms used: in how many sentences and reports (the commonest first)

# %%
# NBVAL_CHECK_OUTPUT
terms = exploded(sentences[["report_id", "terms"]], "terms", "|", "term")
show(tally(terms, ["term"], "sentences"), max_rows=TALLIED)

# %% [markdown]
# ## Documents cited (references index, built without any model): the most cited first

# %%
# NBVAL_CHECK_OUTPUT
references = run.tables["references"]
show(tally(references, ["code", "date", "english"], "citations"), max_rows=TALLIED) if len(references) else Markdown(
    "No document is cited.")

# %% [markdown]
# ## Source and translation, side by side: a sample
# A sample of the collection's sentences (the same sentences on every run of the same data).

# %%
show(sample(sentences)[["report_id", "sentence_no", "role", "text_vi", "text_en", "flags", "origin"]].rename(
    columns={"sentence_no": "#", "text_vi": "Vietnamese", "text_en": "English", "origin": "made by"}),
    flags=("flags",))

# %%
Markdown(pages_note(cfg))
