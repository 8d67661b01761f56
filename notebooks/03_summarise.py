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

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.config import Config
from helpers.pipeline import run_summarise

cfg = Config.from_parameters(globals())
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
# Each summary is held to at most `SUMMARY_MAX_SENTENCES` sentences and `SUMMARY_MAX_WORDS` words.

# %%
# NBVAL_CHECK_OUTPUT
lengths = summaries.pivot(index="report_id", columns="method", values="n_words").astype(int)
print(f"bound: {cfg.summary_max_sentences} sentences, {cfg.summary_max_words} words; "
      f"all within it: {bool(lengths.to_numpy().max() <= cfg.summary_max_words)}")
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
