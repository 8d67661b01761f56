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
# # 03 · Summarise: what is each report about, in three sentences?
#
# Three methods, side by side, so they can be compared: **extractive** (the report's
# most central sentences, TextRank, no pretrained weights: the baseline), **abstractive-en**
# (BART on the English translation) and **abstractive-vi** (mT5 on the Vietnamese text,
# then translated). Long reports are summarised in chunks and the chunk summaries
# summarised again (never truncated). Each summary is held to the length bound, and any
# number, date, code or name in it that does not occur in the report is flagged.

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
ENGINE = None  # where the work runs: local (this process) or dask; default: local
CLUSTER = None  # with the dask engine: a scheduler address; default: none: a local cluster
WORKERS = None  # with the dask engine and no CLUSTER: local workers; default: 0: one per core
REVIEWS = None  # the reviewed English, kept in the project (docs/review.md); default: reviews
REVIEWER = None  # who reviews in notebook 06 and `review import` (docs/review.md); default: the name the review panel last had, else the login name

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.config import Config
from helpers.pages.report import legend_table, ran_on_demo
from helpers.pages.stage import pages_note
from helpers.pipeline import run_stages
from helpers.pages.tables import SHOWN_REPORTS, Style, show

cfg = Config.from_parameters(globals())
run = run_stages(cfg, "summarise", say=False)  # read back when current, else made now
summaries = run.tables["summaries"]
Style()

# %%
demo = ran_on_demo({"models": run.models})
display(Markdown(
    "> **DEMO MODELS.** These summaries were produced by tiny random-weight demo models: "
    "they are **not summaries** of the reports, only a check that every step ran."
    if demo else "Models are named in the `model` column."
))

# %% [markdown]
# ## Every report, every method: lengths within the bound

# %%
# NBVAL_CHECK_OUTPUT
lengths = summaries.pivot(index="report_id", columns="method", values="n_words").astype(int)
within = bool(lengths.to_numpy().max() <= cfg.summary_max_words)
complete = bool(lengths.notna().all().all() and len(lengths.columns) == 3)
Markdown(f"Each summary is held to at most {cfg.summary_max_sentences} sentences and {cfg.summary_max_words} words: "
         + ("every summary is within the bound" if within else "**some summary is over the bound**") + "; "
         + ("every report has a summary by every method." if complete else "**some report lacks a summary**."))

# %%
# NBVAL_CHECK_OUTPUT
show(lengths.rename_axis(columns=None), keep_index=True)

# %% [markdown]
# ## Summaries side by side, with their flags

# %%
groups = list(summaries.groupby("report_id", sort=False))
if len(groups) > SHOWN_REPORTS:
    display(Markdown(f"The first {SHOWN_REPORTS} of {len(groups):,} reports; every report's page has its summaries."))
for rid, group in groups[:SHOWN_REPORTS]:
    display(Markdown(f"### {rid}"))
    display(show(group[["method", "summary_en", "n_words", "flags", "source_sentence_ids"]].rename(
        columns={"summary_en": "summary", "n_words": "words", "source_sentence_ids": "sentences used"}), flags=("flags",)))

# %% [markdown]
# ## What the flags mean

# %%
show(legend_table(summaries["flags"].tolist()))

# %% [markdown]
# ## Which sentences the extractive baseline chose

# %%
show(summaries[summaries["method"] == "extractive"][["report_id", "source_sentence_ids"]].rename(
    columns={"source_sentence_ids": "sentences chosen"}))

# %%
Markdown(pages_note(cfg))
