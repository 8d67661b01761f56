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
# # 01 · Corpus: what is in the reports, line by line?
#
# This notebook reads every `*.txt` report of the input folder, gives each line a role
# (title, body, caption, duplicate, dateline, byline, source, boilerplate, blank)
# with the reason for it, draws each report's metadata, and splits the title and
# body into Vietnamese sentences. Nothing is dropped silently: every line of every
# file is in `data/ledger.csv` of the output folder, and files that cannot be read are listed with
# their problem.

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
from IPython.display import Markdown

from helpers.config import Config
from helpers.notebooks.overview import TALLIED, most, newest, spread, tally, word_counts
from helpers.pages.stage import pages_note
from helpers.pipeline import run_stages
from helpers.pages.tables import Style, show

cfg = Config.from_parameters(globals())
corpus = run_stages(cfg, "corpus", say=False).tables  # read back when current, else made now
reports, ledger, sentences, problems = (corpus[t] for t in ("reports", "ledger", "sentences", "problems"))
Style()

# %% [markdown]
# ## The collection in numbers
# This page summarises the collection, however large: each report has its own page (linked from
# the index), and every line is in `data/ledger.csv`.

# %%
# NBVAL_CHECK_OUTPUT
show(pd.DataFrame({"reports": [len(reports)], "lines": [len(ledger)],
                   "sentences": [int(sentences["role"].isin(["title", "body"]).sum())],
                   "inputs rejected": [len(problems)],
                   "reports without a date": [int((reports["date"].fillna("") == "").sum())],
                   "reports without a title": [int((reports["title"].fillna("") == "").sum())]}))

# %% [markdown]
# ## Inputs that could not be used
# Each with its problem; all of them are in `data/problems.csv`.

# %%
# NBVAL_CHECK_OUTPUT
show(problems, max_rows=TALLIED) if len(problems) else Markdown("No input was rejected.")

# %% [markdown]
# ## The newest reports and their metadata
# The date is ISO; `date_source` says where it was read (a dateline, or the opening
# of the lead paragraph). An empty title means the report has no heading line: its
# first line is already a paragraph.

# %%
# NBVAL_CHECK_OUTPUT
show(newest(reports)[["report_id", "title", "date", "date_source", "author", "source", "n_lines", "n_sentences"]])

# %%
# NBVAL_CHECK_OUTPUT
dated = reports.assign(date_source=reports["date_source"].replace("", "(no date)"))
show(tally(dated, ["date_source"], "reports"), max_rows=TALLIED)

# %% [markdown]
# ## Lines by role
# Every line counts once. Captions are translated separately; duplicates, datelines,
# bylines, site labels and blank lines are not translated, each with its reason in the ledger.

# %%
# NBVAL_CHECK_OUTPUT
show(tally(ledger, ["role"], "lines").rename(columns={"reports": "reports with one"}))

# %% [markdown]
# ## What was set aside, and why
# Lines that are not title or body text, counted by the rule that decided them (the commonest first).

# %%
# NBVAL_CHECK_OUTPUT
aside = ledger[~ledger["role"].isin(["body", "title", "blank"])]
show(tally(aside, ["role", "reason"], "lines"), max_rows=TALLIED) if len(aside) else Markdown("No line was set aside.")

# %% [markdown]
# ## Sentence lengths
# Long official sentences are the hard case for translation models: the longest
# ones are what the translator must split without losing words.

# %%
import matplotlib.pyplot as plt

text = sentences[sentences["role"].isin(["title", "body"])]
words = word_counts(text["text_vi"])
fig, ax = plt.subplots(figsize=(8, 3))
ax.hist(words, bins=range(0, int(words.max()) + 10, 5), color="#4a7fc1")
ax.set_title(f"How long are the sentences? ({len(reports):,} reports)")
ax.set_xlabel("Vietnamese words per sentence")
ax.set_ylabel("sentences")
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
show(spread(words, "words"))

# %% [markdown]
# ## The reports with the longest sentences

# %%
# NBVAL_CHECK_OUTPUT
longest = words.groupby(text["report_id"]).agg(["count", "mean", "max"]).round(1).reset_index()
show(most(longest, "max").rename(columns={"count": "sentences", "mean": "mean words", "max": "most words"}))

# %%
Markdown(pages_note(cfg))
