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
import os

SEEDS = os.environ.get("HELPERS_SEEDS", "../seeds")
OUT = os.environ.get("HELPERS_OUT", "../build")
MODELS = os.environ.get("HELPERS_MODELS", "auto")
BACKEND = "ctranslate2"
TRANSLATOR = "opus-mt"
MAX_SENTENCES = 3
MAX_WORDS = 80

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.config import Config
from helpers.pipeline import run_summarise

cfg = Config(seeds=SEEDS, out=OUT, models=MODELS, backend=BACKEND, translator=TRANSLATOR,
             summary_max_sentences=MAX_SENTENCES, summary_max_words=MAX_WORDS)
summaries = run_summarise(cfg, progress=False)

# %%
demo = summaries["model"].str.contains(r"\(demo\)").any()
display(Markdown(
    "> **DEMO MODELS.** These summaries were produced by tiny random-weight demo models: "
    "they are **not summaries** of the reports, only a check that every step ran."
    if demo else "Models are named in the `model` column."
))

# %% [markdown]
# ## Every report, every method: lengths within the bound
# The bound is at most `MAX_SENTENCES` sentences and `MAX_WORDS` words.

# %%
# NBVAL_CHECK_OUTPUT
lengths = summaries.pivot(index="report_id", columns="method", values="n_words").astype(int)
print(f"bound: {MAX_SENTENCES} sentences, {MAX_WORDS} words; all within it: {bool(lengths.to_numpy().max() <= MAX_WORDS)}")
print("every report has a summary by every method:", lengths.notna().all().all() and len(lengths.columns) == 3)

# %% [markdown]
# ## Summaries side by side, with their flags

# %%
with pd.option_context("display.max_colwidth", None):
    for rid, group in summaries.groupby("report_id"):
        display(Markdown(f"### {rid}"))
        display(group[["method", "summary_en", "n_words", "flags", "source_sentence_ids"]].set_index("method"))

# %% [markdown]
# ## Which sentences the extractive baseline chose

# %%
summaries[summaries["method"] == "extractive"][["report_id", "source_sentence_ids"]].set_index("report_id")
