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
ENGINE = None  # where the work runs: local (this machine) or dask; default: local
CLUSTER = None  # with the dask engine: a scheduler address; default: none: a local cluster
WORKERS = None  # with the dask engine and no CLUSTER: local workers; default: 0: one per core
REVIEWS = None  # the reviewed English, kept in the project (docs/review.md); default: reviews
REVIEWER = None  # who reviews in notebook 06 and `review import` (docs/review.md); default: the name the review panel last had, else the login name

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.config import Config
from helpers.notebooks.overview import flag_codes, newest, spread, tally
from helpers.pages.outputs import demo_note
from helpers.pages.report import legend_table, ran_on_demo
from helpers.pages.stage import pages_note
from helpers.pipeline import run_stages
from helpers.pages.tables import Style, show

cfg = Config.from_parameters(globals())
run = run_stages(cfg, "summarise", say=False)  # read back when current, else made now
summaries, reports = run.tables["summaries"], run.tables["reports"]
Style()

# %%
demo = ran_on_demo({"models": run.models})
display(Markdown(
    demo_note() if demo else "Models are named in the `model` column."
))

# %% [markdown]
# ## Every report, every method: lengths within the bound
# This page summarises the collection, however large: each report's page (linked from the index)
# has its three summaries.

# %%
# NBVAL_CHECK_OUTPUT
methods = summaries.groupby("report_id")["method"].nunique()
within = bool(summaries["n_words"].astype(int).max() <= cfg.summary_max_words)
complete = bool(len(methods) == len(reports) and (methods == summaries["method"].nunique()).all()
                and summaries["method"].nunique() == 3)
Markdown(f"Each summary is held to at most {cfg.summary_max_sentences} sentences and {cfg.summary_max_words} words: "
         + ("every summary is within the bound" if within else "**some summary is over the bound**") + "; "
         + ("every report has a summary by every method." if complete else "**some report lacks a summary**."))

# %%
# NBVAL_CHECK_OUTPUT
show(pd.concat([spread(group["n_words"], "words").assign(method=method)
                for method, group in summaries.groupby("method")], ignore_index=True).set_index("method"),
     keep_index=True)

# %% [markdown]
# ## Flags by method
# What each flag means is in the legend below.

# %%
flags = flag_codes(summaries[["report_id", "method", "flags"]])
show(tally(flags, ["method", "flag"], "summaries")) if len(flags) else Markdown("No summary is flagged.")

# %%
show(legend_table(summaries["flags"].drop_duplicates().tolist()))

# %% [markdown]
# ## The newest reports' summaries, side by side

# %%
latest = newest(reports, 3)
for rid, title in zip(latest["report_id"], latest["title"].fillna("")):
    display(Markdown(f"### {rid}" + (f": {title}" if title else "")))
    display(show(summaries[summaries["report_id"] == rid][["method", "summary_en", "n_words", "flags"]].rename(
        columns={"summary_en": "summary", "n_words": "words"}), flags=("flags",)))

# %% [markdown]
# ## Which sentences the extractive baseline chose
# How often it chose a report's first, second, ... sentence: the lead of a report carries its news.

# %%
# NBVAL_CHECK_OUTPUT
extractive = summaries[summaries["method"] == "extractive"]
chosen = pd.to_numeric(extractive["source_sentence_ids"].str.split().explode(), errors="coerce").dropna().astype(int)
counts = chosen.clip(upper=10).value_counts().sort_index()
show(pd.DataFrame({"sentence no.": [str(n) if n < 10 else "10 or later" for n in counts.index],
                   "times chosen": counts.to_numpy()}))

# %%
Markdown(pages_note(cfg))
